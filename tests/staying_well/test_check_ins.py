"""Weekly check-ins: off until the person turns them on, one a week (a second replaces
the first, and the page says so), every answer checked, and a history as a chart with
a table beside it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from sharon.staying_well import services
from tests.concurrency import at_once
from tests.helpers import csrf_token, submission_tokens, submit, text
from tests.staying_well.conftest import (
    CALM,
    HARD,
    check_in,
    check_ins,
    client_for,
    days_later,
    settings_of,
    turn_on,
    write_list,
)


def test_check_ins_are_off_until_the_person_turns_them_on(app, people, tuesday):
    client = client_for(app, "river")
    assert settings_of(people["river"].id) is None
    assert "Check-ins are off" in text(client.get("/staying-well/"))
    page = client.get("/staying-well/check-in")
    assert page.status_code == 200 and "Check-ins are off" in text(page)
    assert "Send my check-in" not in text(page)
    # A form sent anyway (an old tab) stores nothing.
    html = page.get_data(as_text=True)
    client.post("/staying-well/check-in", data={"csrf_token": csrf_token(html), **CALM})
    assert check_ins() == []


def test_turning_on_asks_the_day_and_the_check_in_day_is_remembered(app, people, tuesday):
    client = client_for(app, "river")
    page = text(client.get("/staying-well/check-ins/settings"))
    assert "Which day would you like to check in?" in page and "Wednesday" in page
    assert "Email me a reminder" not in page  # mail is not set up here
    done = turn_on(client, "3")
    assert done.status_code == 303
    assert "Check-ins are on. We will remind you on Thursdays." in text(
        client.get("/staying-well/"))
    found = settings_of(people["river"].id)
    assert (found.enabled, found.weekday, found.email_reminder) == (True, 3, False)
    settings = client.get("/staying-well/check-ins/settings").get_data(as_text=True)
    assert re.findall(r'<input checked[^>]*type="radio" value="(\d)"', settings) == ["3"]


@pytest.mark.parametrize("weekday", ["", "7", "-1", "Monday", "1.5"])
def test_a_day_that_is_not_a_day_of_the_week_is_refused(app, people, weekday):
    client = client_for(app, "river")
    refused = turn_on(client, weekday)
    assert refused.status_code == 400
    assert text(refused).count("Choose the day of the week for your check-in.") == 2
    assert settings_of(people["river"].id) is None


def test_an_email_reminder_cannot_be_asked_for_when_mail_is_not_set_up(app, people):
    client = client_for(app, "river")
    refused = turn_on(client, "1", email_reminder="y")
    assert refused.status_code == 400
    assert "Email reminders are not available for your account" in text(refused)
    assert settings_of(people["river"].id) is None


def test_turning_off_stops_reminders_and_keeps_the_history(app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client)
    check_in(client)
    off = submit(client, "/staying-well/check-ins/turn-off", {},
                 page="/staying-well/check-ins/settings")
    assert off.status_code == 303
    assert "Check-ins are off. Your past check-ins are still here" in text(
        client.get("/staying-well/"))
    assert settings_of(people["river"].id).enabled is False
    assert len(check_ins()) == 1


def test_a_check_in_is_stored_with_its_scores_for_its_london_week(app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client)
    form = text(client.get("/staying-well/check-in"))
    for words in ("Over the last 2 weeks, how often have you been bothered by",
                  "Little interest or pleasure in doing things",
                  "Feeling down, depressed or hopeless",
                  "Feeling nervous, anxious or on edge",
                  "Not being able to stop or control worrying", "Not at all", "Several days",
                  "More than half the days", "Nearly every day",
                  "How would you rate your mood this week?"):
        assert words in form, words
    sent = check_in(client, HARD, note="Busy week at work")
    assert sent.status_code == 303
    assert "Thank you for checking in." in text(client.get("/staying-well/"))
    [one] = check_ins()
    assert (one.week, one.interest, one.low, one.nervous, one.worrying, one.mood, one.note) \
        == (date(2026, 11, 30), 2, 2, 1, 1, 3, "Busy week at work")
    assert (one.phq2, one.gad2) == (4, 2)


def test_sunday_night_in_summer_still_counts_in_its_london_week(app, people, frozen_clock):
    # 23:30 UTC on Sunday 28 June 2026 is already Monday 00:30 in London (BST).
    from datetime import UTC, datetime

    frozen_clock.now = datetime(2026, 6, 28, 23, 30, tzinfo=UTC)
    assert services.week_of(frozen_clock.now) == date(2026, 6, 29)
    frozen_clock.now = datetime(2026, 6, 28, 22, 30, tzinfo=UTC)
    assert services.week_of(frozen_clock.now) == date(2026, 6, 22)


@pytest.mark.parametrize(("answers", "messages"), [
    ({}, ["Select how often you have had little interest or pleasure in doing things",
          "Select how often you have been feeling down, depressed or hopeless",
          "Select how often you have been feeling nervous, anxious or on edge",
          "Select how often you have not been able to stop or control worrying",
          "Select a number from 0 to 10 for your mood"]),
    ({**CALM, "interest": "4"},
     ["Select how often you have had little interest or pleasure in doing things"]),
    ({**CALM, "worrying": "-1"},
     ["Select how often you have not been able to stop or control worrying"]),
    ({**CALM, "low": "lots"}, ["Select how often you have been feeling down, depressed or "
                               "hopeless"]),
    ({**CALM, "mood": "11"}, ["Select a number from 0 to 10 for your mood"]),
    ({**CALM, "mood": "5.5"}, ["Select a number from 0 to 10 for your mood"]),
    ({**CALM, "note": "x" * 501}, ["Your note can be up to 500 characters."]),
])
def test_missing_or_out_of_range_answers_are_refused_and_nothing_is_stored(
        app, people, tuesday, answers, messages):
    client = client_for(app, "river")
    turn_on(client)
    html = client.get("/staying-well/check-in").get_data(as_text=True)
    refused = client.post("/staying-well/check-in", data={
        "csrf_token": csrf_token(html), **submission_tokens(html), **answers})
    assert refused.status_code == 400
    page = text(refused)
    assert "There is a problem" in page
    assert page.startswith("Error:") or "Error: Your weekly check-in" in page
    for message in messages:
        assert page.count(message) == 2, message  # in the summary and beside the answer
    assert check_ins() == []


def test_a_second_check_in_in_the_same_week_replaces_the_first_and_says_so(
        app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client)
    check_in(client, CALM)
    days_later(tuesday, client, "river", 2)  # Thursday
    before = text(client.get("/staying-well/check-in"))
    assert "You already checked in this week on Tue 1 Dec. Sending this replaces it." in before
    assert "Replace this week’s check-in" in before
    check_in(client, HARD)
    assert "Thank you. This check-in replaced the one you sent on Tue 1 Dec." in text(
        client.get("/staying-well/"))
    [one] = check_ins()
    assert (one.phq2, one.mood) == (4, 3)
    days_later(tuesday, client, "river", 5)  # the next Tuesday: a new week, a new check-in
    assert "You already checked in" not in text(client.get("/staying-well/check-in"))
    check_in(client, CALM)
    assert [c.week for c in check_ins()] == [date(2026, 11, 30), date(2026, 12, 7)]


def test_the_same_form_sent_twice_at_once_stores_one_check_in(app, people, tuesday):
    turn_on(client_for(app, "river"))
    tabs = [client_for(app, "river") for _ in range(2)]
    html = tabs[0].get("/staying-well/check-in").get_data(as_text=True)
    tokens = submission_tokens(html)
    forms = [{"csrf_token": csrf_token(tab.get("/staying-well/check-in").get_data(as_text=True)),
              **tokens, **CALM} for tab in tabs]
    responses = at_once([lambda t=t, f=f: t.post("/staying-well/check-in", data=f)
                         for t, f in zip(tabs, forms, strict=True)])
    assert sorted(r.status_code for r in responses) == [303, 303]
    assert len(check_ins()) == 1


def test_two_different_forms_at_once_leave_one_check_in_for_the_week(app, people, tuesday):
    turn_on(client_for(app, "river"))
    tabs = [client_for(app, "river") for _ in range(2)]
    forms = []
    for tab, answers in zip(tabs, (CALM, HARD), strict=True):
        html = tab.get("/staying-well/check-in").get_data(as_text=True)
        forms.append({"csrf_token": csrf_token(html), **submission_tokens(html), **answers})
    responses = at_once([lambda t=t, f=f: t.post("/staying-well/check-in", data=f)
                         for t, f in zip(tabs, forms, strict=True)])
    assert sorted(r.status_code for r in responses) == [303, 303]
    [one] = check_ins()
    assert one.mood in (3, 7)


def test_warning_signs_can_be_ticked_in_a_check_in_but_only_one_s_own(app, people, tuesday):
    client = client_for(app, "river")
    write_list(client, "warning_sign", "Sleeping badly\nSkipping meals")
    write_list(client_for(app, "sky"), "warning_sign", "SKY-SIGN")
    turn_on(client)
    page = client.get("/staying-well/check-in").get_data(as_text=True)
    assert "Sleeping badly" in page and "SKY-SIGN" not in page
    from tests.staying_well.conftest import plan_items

    mine = plan_items(people["river"].id, "warning_sign")
    theirs = plan_items(people["sky"].id, "warning_sign")[0]
    refused = check_in(client, CALM, signs=[str(theirs.id)])
    assert refused.status_code == 400
    assert "Tick only the warning signs listed here" in text(refused)
    assert check_ins() == []
    check_in(client, CALM, signs=[str(mine[1].id)])
    assert check_ins()[0].signs == ["Skipping meals"]


def test_the_history_is_a_chart_with_a_table_of_the_same_numbers(app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client)
    assert "You have no check-ins yet." in text(client.get("/staying-well/check-ins"))
    check_in(client, CALM, note="NOTE-ONE")
    days_later(tuesday, client, "river", 7)
    check_in(client, HARD)
    page = client.get("/staying-well/check-ins")
    html = page.get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" ' \
           'aria-labelledby="chart-check-ins-title"' in html
    assert "<title id=\"chart-check-ins-title\">Your check-in scores, oldest week first" in html
    assert "PHQ-2 (0 to 6)" in html and "GAD-2 (0 to 6)" in html and "Mood (0 to 10)" in html
    rows = text(page)
    assert "Your check-ins, newest first" in rows
    assert "7 Dec 2026 4 2 3" in rows and "30 Nov 2026 1 1 7 NOTE-ONE" in rows
    assert rows.index("7 Dec 2026") < rows.index("30 Nov 2026")


def test_a_check_in_is_deleted_after_asking_and_another_person_s_is_not_found(
        app, people, tuesday):
    client, sky = client_for(app, "river"), client_for(app, "sky")
    for each in (client, sky):
        turn_on(each)
        check_in(each, CALM, note="PRIVATE-NOTE")
    mine = check_ins(people["river"].id)[0]
    theirs = check_ins(people["sky"].id)[0]
    confirm = client.get(f"/staying-well/check-ins/{mine.id}/delete")
    assert "Delete your check-in for the week of 30 Nov?" in text(confirm)
    assert client.get(f"/staying-well/check-ins/{theirs.id}/delete").status_code == 404
    stolen = submit(client, f"/staying-well/check-ins/{theirs.id}/delete", {},
                    page=f"/staying-well/check-ins/{mine.id}/delete")
    assert stolen.status_code == 404
    assert "PRIVATE-NOTE" not in stolen.get_data(as_text=True)
    assert client.get("/staying-well/check-ins/99999/delete").status_code == 404
    done = submit(client, f"/staying-well/check-ins/{mine.id}/delete", {})
    assert done.status_code == 303
    assert "Your check-in for the week of 30 Nov is deleted." in text(
        client.get("/staying-well/check-ins"))
    assert check_ins(people["river"].id) == []
    assert len(check_ins(people["sky"].id)) == 1


def test_every_check_in_is_deleted_at_once_after_asking(app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client)
    for _ in range(3):
        check_in(client)
        days_later(tuesday, client, "river", 7)
    sky = client_for(app, "sky")
    turn_on(sky)
    check_in(sky)
    assert "All 3 of your check-ins will be gone for good." in text(
        client.get("/staying-well/check-ins/delete-all"))
    assert len(check_ins(people["river"].id)) == 3  # asking deletes nothing
    submit(client, "/staying-well/check-ins/delete-all", {})
    assert "All your check-ins are deleted (3)." in text(client.get("/staying-well/check-ins"))
    assert check_ins(people["river"].id) == []
    assert len(check_ins(people["sky"].id)) == 1


def test_a_delete_without_its_form_token_deletes_nothing(app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client)
    check_in(client)
    one = check_ins()[0]
    assert client.post(f"/staying-well/check-ins/{one.id}/delete").status_code == 400
    assert client.post("/staying-well/check-ins/delete-all").status_code == 400
    assert len(check_ins()) == 1


def test_the_reminder_shows_on_the_day_until_the_person_checks_in(app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client, "2")  # Wednesday
    assert "check-in day" not in text(client.get("/"))  # Tuesday: not yet
    days_later(tuesday, client, "river", 1)
    for path in ("/", "/staying-well/"):
        assert "Today is your check-in day" in text(client.get(path)), path
    days_later(tuesday, client, "river", 1)  # Thursday: still due this week
    assert "Your weekly check-in You have not checked in this week yet" in text(
        client.get("/"))
    check_in(client)
    assert "You have not checked in this week yet" not in text(client.get("/"))
    days_later(tuesday, client, "river", 6)  # next Wednesday
    assert "Today is your check-in day" in text(client.get("/"))


def test_no_reminder_for_people_who_have_not_turned_check_ins_on(app, people, tuesday):
    client = client_for(app, "river")
    assert "check-in" not in text(client.get("/")).lower().replace("check-ins", "")


def test_a_week_is_named_by_its_monday():
    assert services.week_label(date(2026, 11, 30)) == "30 Nov"
    assert services.week_of(services.week_start(date(2026, 11, 30)) + timedelta(hours=1)) \
        == date(2026, 11, 30)
