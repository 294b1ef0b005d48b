"""The demo member's staying-well plan and a few weeks of check-ins, so the feature shows
in a demo (a chart with something in it, a plan to print, a reminder on the home page)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from sharon.extensions import db
from sharon.infra import clock
from sharon.models import PlanItem, User
from sharon.staying_well import services

PLAN = {
    "warning_sign": "Sleeping badly for more than a few nights\nCancelling plans with "
                    "friends\nSkipping meals",
    "trigger": "Deadlines piling up at work\nThe anniversary in March",
    "helps": "A walk at lunchtime, whatever the weather\nWriting down three things that "
             "went well\nThe breathing exercise from therapy",
    "reason": "Being there for my kids\nGetting back to the allotment",
}
# Answers (interest, low, nervous, worrying, mood) for three weeks ago, two, and last week.
WEEKS = ((0, 1, 1, 0, 7, "Good week. Got out on the allotment."),
         (1, 0, 1, 1, 6, ""),
         (1, 2, 1, 1, 5, "Work is busy. Keeping an eye on my sleep."))


def seed_staying_well(member: User) -> bool:
    """Give the demo member a plan, check-ins on Mondays and three past check-ins (once:
    False if they already have a plan)."""
    if db.session.scalar(sa.select(PlanItem.id).where(PlanItem.user_id == member.id)
                         .limit(1)) is not None:
        return False
    for kind, lines in PLAN.items():
        services.set_list(member, kind, lines)
    services.set_people(member, [services.Person("Sam (my sister)", "Call or text any time"),
                                 services.Person("Alex", "Walk on Saturday mornings")])
    services.turn_on(member, 0, False, mail_possible=False)
    now = clock.now()
    for weeks_ago, (interest, low, nervous, worrying, mood, note) in zip(
            (3, 2, 1), WEEKS, strict=True):
        services.record(member, services.Answers(interest, low, nervous, worrying, mood,
                                                 note), now=now - timedelta(weeks=weeks_ago))
    return True
