"""The weekly check-in email: only where the trust set up mail and the person asked for
it, on their day or later that week, once a week, never after they checked in, and
saying nothing about their health. Run by the scheduler like every timed job."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from sharon.infra import scheduler
from sharon.staying_well.jobs import send_checkin_reminders
from tests.auth.fake_smtp import FakeSMTP, fake_smtp
from tests.helpers import submit, text
from tests.staying_well.conftest import (
    check_in,
    client_for,
    days_later,
    settings_of,
    turn_on,
)


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    with fake_smtp() as server:
        yield server


@pytest.fixture
def app_config(smtp: FakeSMTP) -> dict[str, object]:
    return {"SHARON_SMTP_HOST": "127.0.0.1", "SHARON_SMTP_PORT": smtp.port,
            "SHARON_MAIL_FROM": "SHaRON <sharon@example.org>", "SHARON_SMTP_STARTTLS": False}


def test_the_email_reminder_is_offered_only_to_people_with_an_address(app, people):
    assert "Email me a reminder on that day" in text(
        client_for(app, "river").get("/staying-well/check-ins/settings"))
    sky = client_for(app, "sky")  # no email address on the account
    assert "Email me a reminder" not in text(sky.get("/staying-well/check-ins/settings"))
    refused = turn_on(sky, "1", email_reminder="y")
    assert refused.status_code == 400
    assert "Email reminders are not available for your account" in text(refused)
    assert settings_of(people["sky"].id) is None


def test_the_reminder_goes_once_on_the_day_and_says_nothing_about_health(
        app, people, smtp, tuesday):
    client = client_for(app, "river")
    turn_on(client, "2", email_reminder="y")  # Wednesday
    send_checkin_reminders(tuesday.now)
    assert smtp.received == []  # Tuesday: not yet
    tuesday.advance(days=1)
    send_checkin_reminders(tuesday.now)
    [message] = smtp.wait_for(1)
    assert message["To"] == "river@example.org"
    assert message["Subject"] == "Your weekly check-in on SHaRON"
    body = message.get_content()
    assert "http://localhost/staying-well/check-in" in body
    assert "Wednesday" in body
    assert "PHQ" not in body and "mood" not in body
    for _ in range(3):  # every quarter of an hour, the rest of the week
        tuesday.advance(minutes=15)
        send_checkin_reminders(tuesday.now)
    assert len(smtp.wait_for(2, timeout=0.5)) == 1
    assert settings_of(people["river"].id).reminded_week is not None
    tuesday.advance(days=7)  # the next Wednesday: one more
    send_checkin_reminders(tuesday.now)
    assert len(smtp.wait_for(2)) == 2


def test_no_reminder_after_checking_in_or_without_asking_or_when_off(
        app, people, smtp, tuesday):
    river, ash = client_for(app, "river"), client_for(app, "ash")
    turn_on(river, "1", email_reminder="y")
    check_in(river)  # already done this week
    turn_on(ash, "1")  # no email asked for (and no address)
    send_checkin_reminders(tuesday.now)
    assert smtp.wait_for(1, timeout=0.5) == []
    days_later(tuesday, river, "river", 7)
    from tests.helpers import submit

    submit(river, "/staying-well/check-ins/turn-off", {},
           page="/staying-well/check-ins/settings")
    send_checkin_reminders(tuesday.now)
    assert smtp.wait_for(1, timeout=0.5) == []


def test_a_suspended_person_gets_no_reminder(app, people, smtp, tuesday):
    from sharon.extensions import db

    turn_on(client_for(app, "river"), "1", email_reminder="y")
    river = people["river"]
    river.status = "suspended"
    db.session.commit()
    send_checkin_reminders(tuesday.now)
    assert smtp.wait_for(1, timeout=0.5) == []


def test_the_scheduler_runs_the_reminder_job(app, people, smtp, tuesday):
    turn_on(client_for(app, "river"), "1", email_reminder="y")
    assert "checkin-reminders" in scheduler.JOBS
    assert scheduler.JOBS["checkin-reminders"].every == timedelta(minutes=15)
    ran = scheduler.run_due(app, now=tuesday.now)
    assert "checkin-reminders" in ran
    assert len(smtp.wait_for(1)) == 1
    assert "checkin-reminders" not in scheduler.run_due(app, now=tuesday.now)
    later = tuesday.now + timedelta(minutes=16)
    assert "checkin-reminders" in scheduler.run_due(app, now=later)
    assert len(smtp.wait_for(2, timeout=0.5)) == 1


def test_without_mail_the_job_sends_nothing_and_records_nothing(app, people, tuesday):
    turn_on(client_for(app, "river"), "1", email_reminder="y")
    app.config["SHARON_SMTP_HOST"] = None
    send_checkin_reminders(tuesday.now)
    assert settings_of(people["river"].id).reminded_week is None


def test_someone_who_stops_reminders_while_a_run_is_going_gets_no_email(
        app, people, smtp, tuesday, monkeypatch):
    """The job reads who is due, then claims each send with a conditional UPDATE that asks
    every condition again: a change made between the two wins."""
    from sharon.extensions import db
    from sharon.staying_well import services

    people["ash"].email = "ash@example.org"
    db.session.commit()
    for name in ("river", "ash"):
        turn_on(client_for(app, name), "1", email_reminder="y")  # Tuesday
    due = services.due_for_email(tuesday.now)
    assert len(due) == 2
    submit(client_for(app, "river"), "/staying-well/check-ins/turn-off", {},
           page="/staying-well/check-ins/settings")
    monkeypatch.setattr(services, "due_for_email", lambda now: due)  # read before the change
    send_checkin_reminders(tuesday.now)
    [message] = smtp.wait_for(1)
    assert message["To"] == "ash@example.org"
    assert settings_of(people["river"].id).reminded_week is None
