"""The staying-well reminder that runs with nobody asking: the weekly check-in email,
for people who turned check-ins on and asked for it, where the trust set up mail.

The in-app reminder needs no job (the pages work it out when they are drawn). The email
goes at most once a week to each person: the week is recorded first, by one conditional
UPDATE, and committed before the message is sent, so a job run twice, or a crash after
sending, never sends a second. A reminder that could not be sent is logged, not retried:
it is a nudge, and the in-app reminder is still there.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app, render_template, url_for

from sharon import mail
from sharon.extensions import db
from sharon.infra import scheduler
from sharon.models import User
from sharon.staying_well import services

log = logging.getLogger(__name__)

SUBJECT = "Your weekly check-in on SHaRON"


def _link() -> str | None:
    # Links in mail come from SHARON_SITE_URL (SERVER_NAME), never from a request; without
    # it the message says where to go in words.
    try:
        return url_for("staying_well.check_in", _external=True)
    except RuntimeError:
        return None


@scheduler.job("checkin-reminders", every=timedelta(minutes=15))
def send_checkin_reminders(now: datetime) -> None:
    """Email each person whose check-in reminder is due this week, once."""
    settings = mail.settings(current_app.config)
    if settings is None:
        return
    sent = 0
    for due in services.due_for_email(now):
        user = db.session.get(User, due.user_id)
        if user is None or not user.email or not services.mark_reminded(due.user_id, now):
            db.session.rollback()
            continue
        db.session.commit()  # the week is recorded before the message can go
        body = render_template("staying_well/reminder_mail.txt", user=user, link=_link(),
                               day=services.WEEKDAYS[due.weekday])
        if mail.send(settings, mail.message(settings, user.email, SUBJECT, body)):
            sent += 1
    db.session.commit()
    if sent:
        log.info("check-in reminders sent: %d", sent)
