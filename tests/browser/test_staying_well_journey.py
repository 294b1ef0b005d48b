"""In a real browser: a member builds and prints a staying-well plan, turns check-ins on,
checks in, sees the history, and, when two check-ins in a row are high, gets the way back
and chooses to let the team know. Every staying-well page passes the axe checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharon.extensions import db
from sharon.infra import clock
from sharon.models import CheckIn, Conversation
from sharon.staying_well import services
from tests.browser.pages import sign_in
from tests.browser.test_accessibility import AXE, TAGS, signed_in, violations

pytestmark = pytest.mark.browser

REFERRAL = "https://talking.example.nhs.uk/refer"


@pytest.fixture
def live(database_url: str, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from tests.live_server import live_server

    with live_server(database_url, tmp_path, SHARON_SELF_REFERRAL_URL=REFERRAL,
                     SHARON_SERVICE_NAME="Anytown Talking Therapies") as base:
        yield base


def test_a_member_plans_checks_in_and_finds_the_way_back(page, app, make_user):
    river = make_user(username="river")
    sign_in(page, "river")

    page.get_by_role("link", name="Staying well", exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Staying well"
    page.get_by_role("link", name="Start your plan").click()
    page.get_by_role("link", name="Add my early warning signs").click()
    page.get_by_label("My early warning signs").fill("Sleeping badly\nSkipping meals")
    page.get_by_role("button", name="Save").click()
    assert "My early warning signs: saved." in page.locator(".flashes").inner_text()
    page.get_by_role("link", name="Add what helps me").click()
    page.get_by_label("What helps me").fill("A walk by the river")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add people i can contact").click()
    page.get_by_label("Name").first.fill("Jo (sister)")
    page.get_by_label("How to contact them").first.fill("07700 900123")
    page.get_by_role("button", name="Save").click()

    # Too many warning signs: told clearly, in the summary and beside the box.
    page.get_by_role("link", name="Add to or change my early warning signs").click()
    page.get_by_label("My early warning signs").fill("\n".join(f"sign {n}" for n in range(11)))
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "You can list up to 10 warning signs. You have listed 11." in summary.inner_text()
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "lines"
    page.get_by_role("link", name="Back to your plan").click()

    plan = page.locator(".plan-sheet")
    assert "Jo (sister)" in plan.inner_text() and "Samaritans" in plan.inner_text()
    assert page.get_by_role("link", name="Refer yourself to Anytown Talking Therapies") \
        .get_attribute("href") == REFERRAL
    assert page.get_by_role("button", name="Print your plan").is_visible()
    # Printing shows the plan alone.
    page.emulate_media(media="print")
    assert not page.locator("header").first.is_visible()
    assert not page.locator("footer").first.is_visible()
    assert not page.get_by_role("button", name="Print your plan").is_visible()
    assert page.get_by_role("heading", name="My staying-well plan").is_visible()
    printed = plan.inner_text()  # what is drawn: hidden elements are left out
    assert "A walk by the river" in printed and "Remove" not in printed
    page.emulate_media(media="screen")

    # Check-ins: off until turned on; the day is today's, so the reminder shows.
    page.get_by_role("link", name="Back to staying well").click()
    page.get_by_role("link", name="Turn on check-ins").click()
    today = services.WEEKDAYS[clock.now().astimezone(services.LONDON).weekday()]
    page.get_by_label(today).check()
    page.get_by_role("button", name="Turn on check-ins").click()
    assert f"We will remind you on {today}s" in page.locator(".flashes").inner_text()
    assert "Today is your check-in day" in page.content()

    page.get_by_role("link", name="Check in now").first.click()
    # Sent with nothing chosen: every question says what is missing.
    page.get_by_role("button", name="Send my check-in").click()
    expect(page.locator(".nhsuk-error-summary li")).to_have_count(5)
    for name, answer in (("Little interest or pleasure in doing things", "More than half the days"),
                         ("Feeling down, depressed or hopeless", "More than half the days"),
                         ("Feeling nervous, anxious or on edge", "Several days"),
                         ("Not being able to stop or control worrying", "Not at all")):
        page.get_by_role("group", name=name).get_by_label(answer, exact=True).check()
    page.get_by_role("group", name="How would you rate your mood this week?") \
        .get_by_label("3", exact=True).check()
    page.get_by_label("Skipping meals").check()
    page.get_by_role("button", name="Send my check-in").click()
    assert "Thank you for checking in." in page.locator(".flashes").inner_text()
    # Ticking a warning sign brings the way back at once.
    card = page.locator("#way-back")
    assert "You are noticing this warning sign: Skipping meals" in " ".join(
        card.inner_text().split())

    # Last week was high too: two in a row.
    db.session.add(CheckIn(user_id=river.id, week=services.week_of(clock.now())
                           - timedelta(days=7), interest=2, low=1, nervous=1, worrying=1,
                           mood=4, note="", signs=[], created_at=clock.now(),
                           updated_at=clock.now()))
    db.session.commit()
    page.get_by_role("link", name="Your past check-ins").click()
    assert page.locator("svg.chart").get_attribute("role") == "img"
    assert page.get_by_role("table").count() == 1
    assert "Your last two check-ins scored 3 or more" in page.locator("#way-back").inner_text()

    # Letting the team know: nothing goes until they press send.
    page.get_by_role("link", name="Let the team know").click()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 0
    message = page.get_by_label("Your message")
    assert "PHQ-2" not in message.input_value()  # nothing shared unless chosen
    page.get_by_label("My last two check-ins (scores and mood, not my notes)").check()
    page.get_by_role("button", name="Write the message again with these").click()
    assert "PHQ-2 4 out of 6" in message.input_value()
    message.fill("Things are harder this week. Could someone get in touch?")
    page.get_by_role("button", name="Send to the team").click()
    assert "Your message is with the moderating team" in page.locator(".flashes").inner_text()
    db.session.expire_all()
    conversation = db.session.scalars(sa.select(Conversation)).one()
    assert [m.body for m in conversation.messages] == [
        "Things are harder this week. Could someone get in touch?"]


def test_staying_well_pages_meet_wcag_aa_rules(browser, live, app, make_user):
    river = make_user(username="river")
    for kind, lines in (("warning_sign", "Sleeping badly"), ("helps", "Walking")):
        services.set_list(river, kind, lines)
    services.set_people(river, [services.Person("Jo", "07700 900123")])
    services.turn_on(river, clock.now().astimezone(services.LONDON).weekday(), False, False)
    now = clock.now()
    for weeks_ago in (1, 0):
        services.record(river, services.Answers(2, 2, 1, 1, 3, "hard"),
                        now=now - timedelta(weeks=weeks_ago))
    db.session.commit()
    one = db.session.scalars(sa.select(CheckIn)).first()
    member = signed_in(browser, live, "river")
    found = []
    for path in ("/", "/staying-well/", "/staying-well/plan", "/staying-well/plan/helps",
                 "/staying-well/plan/person", "/staying-well/way-back",
                 "/staying-well/check-in", "/staying-well/check-ins",
                 "/staying-well/check-ins/settings", f"/staying-well/check-ins/{one.id}/delete",
                 "/staying-well/check-ins/delete-all", "/staying-well/tell-the-team"):
        found += violations(member, path)
    # A page with errors on it.
    member.goto("/staying-well/check-in")
    member.get_by_role("button", name="Replace this week’s check-in").click()
    member.evaluate(AXE)
    result = member.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                             TAGS)
    found += [f"check-in errors: {v['id']}" for v in result["violations"]]
    assert found == []
