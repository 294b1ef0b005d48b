"""Letting the team know: the one way anything from a staying-well plan reaches staff.

The person chooses what goes in, reads and edits the message, and presses send; it then
goes as an ordinary Ask the team message, so the team sees exactly what was sent and no
more (there is no staff page that reads a plan). The people on the plan are never put in
a draft: their names and numbers are someone else's details.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sharon.inbox import services as inbox
from sharon.models import PlanKind, User
from sharon.staying_well import services

SUBJECT = "I'm finding things harder"
INTRO = "I've been finding things harder lately and wanted to let the team know."


@dataclass(frozen=True)
class Part:
    """A part of the plan or the check-ins the person may choose to include."""

    name: str
    label: str


PARTS: tuple[Part, ...] = (
    Part("scores", "My last two check-ins (scores and mood, not my notes)"),
    Part("signs", "My early warning signs"),
    Part("triggers", "My triggers"),
    Part("helps", "What helps me"),
    Part("reasons", "My reasons to stay well"),
)
DEFAULT_PARTS: tuple[str, ...] = ()  # nothing ticked: the person chooses what to share
_KINDS = {"signs": PlanKind.WARNING_SIGN, "triggers": PlanKind.TRIGGER,
          "helps": PlanKind.HELPS, "reasons": PlanKind.REASON}


def chosen(values: Iterable[str]) -> tuple[str, ...]:
    """The parts asked for that exist, in the page's order (anything else is ignored:
    it only shapes a draft the person then reads)."""
    wanted = set(values)
    return tuple(part.name for part in PARTS if part.name in wanted)


def draft(user: User, parts: Iterable[str]) -> str:
    """A message to the team made of the chosen parts, for the person to edit."""
    parts = chosen(parts)
    paragraphs = [INTRO]
    if "scores" in parts:
        recent = services.history(user, weeks=2)
        if recent:
            lines = [f"- Week of {services.week_label(c.week)}: PHQ-2 {c.phq2} out of 6, "
                     f"GAD-2 {c.gad2} out of 6, mood {c.mood} out of 10" for c in recent]
            paragraphs.append("My last check-ins:\n" + "\n".join(lines))
    mine = services.plan(user)
    for name in parts:
        kind = _KINDS.get(name)
        if kind is None or not mine[kind]:
            continue
        section = services.SECTION[kind]
        paragraphs.append(f"{section.title}:\n" + "\n".join(f"- {item.text}"
                                                          for item in mine[kind]))
    return "\n\n".join(paragraphs)


def tell_the_team(user: User, subject: str, body: str) -> inbox.Sent:
    """Send what the person wrote to the team, as a new Ask the team conversation."""
    return inbox.ask(user, subject, body)
