"""Staying well: the rules for a person's own plan, their weekly check-ins and the way
back to the service.

Everything here belongs to one person and is read for that person only: every query is
scoped to the actor, so another person's plan line or check-in is "not found", never
"forbidden" (which would say it exists). No function takes a second person, and none is
for the team: staff see a plan only when its owner sends it to them through Ask the team.

Every function checks, then changes, then flushes; the view commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from sharon import permissions
from sharon.content import clean_text
from sharon.extensions import db
from sharon.infra import clock
from sharon.infra.templating import LONDON
from sharon.models import CheckIn, CheckInSettings, PlanItem, PlanKind, User
from sharon.permissions import Action
from sharon.refusals import Refused

ONLY_MEMBERS = "Sign in with an active account to keep a staying-well plan."

# --- The plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One list in the plan, as the pages name it and the limits that keep it readable."""

    kind: PlanKind
    title: str
    hint: str
    one: str  # what one line is called, in errors ("warning sign")
    many: str
    most: int  # lines
    longest: int  # characters a line


SECTIONS: tuple[Section, ...] = (
    Section(PlanKind.WARNING_SIGN, "My early warning signs",
            "Changes that tell you things are slipping, like sleeping badly or stopping "
            "seeing friends.", "warning sign", "warning signs", 10, 200),
    Section(PlanKind.TRIGGER, "My triggers",
            "Situations or events that can make things harder for you.",
            "trigger", "triggers", 10, 200),
    Section(PlanKind.HELPS, "What helps me",
            "Things you can do, and tools from therapy that work for you.",
            "thing that helps", "things that help", 10, 200),
    Section(PlanKind.PERSON, "People I can contact",
            "Someone you trust, and how to reach them.", "person", "people", 6, 80),
    Section(PlanKind.REASON, "My reasons to stay well",
            "What matters to you, and what you are working towards.",
            "reason", "reasons", 10, 200),
)
SECTION = {section.kind: section for section in SECTIONS}
TEXT_KINDS = tuple(s.kind for s in SECTIONS if s.kind != PlanKind.PERSON)
HOW_LONGEST = 120  # how to reach a person


def section_for(kind: str) -> Section:
    """The section with this name, or not_found (a made-up one in an address)."""
    try:
        return SECTION[PlanKind(kind)]
    except ValueError:
        raise Refused("not_found", "We could not find that part of your plan.") from None


def item_not_found() -> Refused:
    """The same refusal for "missing" and "not yours", so neither is revealed."""
    return Refused("not_found", "We could not find that line of your plan.")


def plan(user: User) -> dict[PlanKind, list[PlanItem]]:
    """The person's plan, every section in order (empty lists for empty sections)."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    found: dict[PlanKind, list[PlanItem]] = {section.kind: [] for section in SECTIONS}
    for item in db.session.scalars(sa.select(PlanItem).where(PlanItem.user_id == user.id)
                                   .order_by(PlanItem.kind, PlanItem.position, PlanItem.id)):
        found.setdefault(PlanKind(item.kind), []).append(item)
    return found


def lines_of(text: str) -> list[str]:
    """Text typed one item a line as the items: blank lines dropped, a list mark someone
    typed out of habit ("- ", "* ", "• ") taken off, spaces squeezed."""
    found = []
    for line in clean_text(text or "").split("\n"):
        line = " ".join(line.split())
        if line[:2] in ("- ", "* ", "• "):
            line = line[2:].strip()
        if line:
            found.append(line)
    return found


def _check_count(section: Section, count: int) -> None:
    if count > section.most:
        raise Refused("too_many", f"You can list up to {section.most} {section.many}. "
                                  f"You have listed {count}.")


def _check_length(section: Section, text: str, number: int, longest: int,
                  what: str | None = None) -> None:
    if len(text) > longest:
        raise Refused("too_long", f"Each {what or section.one} can be up to {longest} "
                                  f"characters. Number {number} has {len(text)}.")


def set_list(user: User, kind: str, text: str) -> list[PlanItem]:
    """Replace one text section of the plan with the lines typed (empty: the section is
    cleared). Too many lines, or one too long: refused, nothing changed."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    section = section_for(kind)
    if section.kind == PlanKind.PERSON:
        raise Refused("not_found", "We could not find that part of your plan.")
    lines = lines_of(text)
    _check_count(section, len(lines))
    for number, line in enumerate(lines, start=1):
        _check_length(section, line, number, section.longest)
    return _replace(user, section.kind, [(line, "") for line in lines])


@dataclass(frozen=True)
class Person:
    """Someone on the plan: a name and how to reach them (both as typed)."""

    name: str
    how: str


def set_people(user: User, people: Iterable[Person]) -> list[PlanItem]:
    """Replace the plan's people. A row with neither name nor how is skipped; a how
    without a name, or either too long, is refused with nothing changed."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    section = SECTION[PlanKind.PERSON]
    rows = []
    for person in people:
        name = " ".join(clean_text(person.name or "").split())
        how = " ".join(clean_text(person.how or "").split())
        if name or how:
            rows.append((name, how))
    _check_count(section, len(rows))
    for number, (name, how) in enumerate(rows, start=1):
        if not name:
            raise Refused("name_missing", f"Give a name for person {number}, or clear how "
                                          "to reach them.")
        _check_length(section, name, number, section.longest, "name")
        _check_length(section, how, number, HOW_LONGEST, "way to reach someone")
    return _replace(user, PlanKind.PERSON, rows)


def _replace(user: User, kind: PlanKind, rows: Sequence[tuple[str, str]]) -> list[PlanItem]:
    db.session.execute(sa.delete(PlanItem).where(PlanItem.user_id == user.id,
                                                 PlanItem.kind == kind)
                       .execution_options(synchronize_session=False))
    items = [PlanItem(user_id=user.id, kind=kind, text=text, detail=detail, position=index)
             for index, (text, detail) in enumerate(rows)]
    db.session.add_all(items)
    db.session.flush()
    return items


def item_for(user: User, item_id: int) -> PlanItem:
    """One line of this person's own plan, or not_found (another person's is "missing")."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    item = db.session.scalar(sa.select(PlanItem).where(PlanItem.id == item_id,
                                                       PlanItem.user_id == user.id))
    if item is None:
        raise item_not_found()
    return item


def remove_item(user: User, item_id: int) -> PlanItem:
    """Take one line off the person's plan."""
    item = item_for(user, item_id)
    db.session.delete(item)
    db.session.flush()
    return item


def warning_signs(user: User) -> list[PlanItem]:
    """The person's own warning signs, in their order, to tick."""
    return plan(user)[PlanKind.WARNING_SIGN]


def noticed(user: User, ids: Iterable[object]) -> list[str]:
    """The person's warning signs with these ids, as written. An id that is not one of
    their own signs is refused (nothing is shown or stored for it)."""
    signs = {str(item.id): item.text for item in warning_signs(user)}
    chosen = [str(value) for value in ids]
    unknown = [value for value in chosen if value not in signs]
    if unknown:
        raise Refused("unknown_sign", "Tick only the warning signs listed here. Your plan "
                                      "may have changed: please look at the list again.")
    return [text for key, text in signs.items() if key in chosen]


# --- Weeks -------------------------------------------------------------------------------

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def week_of(moment: datetime) -> date:
    """The Monday of the London week (ISO week) this moment falls in."""
    day = moment.astimezone(LONDON).date()
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """"30 Nov": a week as a chart and a table name it (by its Monday)."""
    return f"{monday.day} {monday:%b}"


def day_label(moment: datetime) -> str:
    """"Tue 1 Dec": when something happened this week, in London."""
    local = moment.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b}"


# --- Check-in settings -------------------------------------------------------------------

def settings_for(user: User) -> CheckInSettings | None:
    """The person's check-in settings, or None: check-ins are off until they turn them on."""
    return db.session.get(CheckInSettings, user.id)


def checking_in(user: User) -> bool:
    """Whether the person has turned check-ins on."""
    found = settings_for(user)
    return found is not None and found.enabled


def turn_on(user: User, weekday: object, email_reminder: bool,
            mail_possible: bool) -> CheckInSettings:
    """Turn check-ins on (or change the day). An email reminder only when SHaRON can send
    mail and the account has an address; otherwise the request for one is refused."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    day = whole_number(weekday, 0, 6, "Choose the day of the week for your check-in.")
    if email_reminder and not (mail_possible and user.email):
        raise Refused("no_mail", "Email reminders are not available for your account. "
                                 "You will see a reminder on SHaRON instead.")
    found = settings_for(user)
    if found is None:
        found = CheckInSettings(user_id=user.id)
        db.session.add(found)
    found.enabled, found.weekday, found.email_reminder = True, day, bool(email_reminder)
    found.updated_at = clock.now()
    db.session.flush()
    return found


def turn_off(user: User) -> None:
    """Turn check-ins off: no more reminders. The history stays until they delete it."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    found = settings_for(user)
    if found is not None:
        found.enabled, found.email_reminder, found.updated_at = False, False, clock.now()
        db.session.flush()


# --- Check-ins ---------------------------------------------------------------------------

OFTEN = ("Not at all", "Several days", "More than half the days", "Nearly every day")


@dataclass(frozen=True)
class Question:
    """One PHQ-2 or GAD-2 question: its column, its standard wording, its scale."""

    name: str
    text: str
    scale: str  # PHQ-2 or GAD-2
    missing: str


QUESTIONS: tuple[Question, ...] = (
    Question("interest", "Little interest or pleasure in doing things", "PHQ-2",
             "Select how often you have had little interest or pleasure in doing things"),
    Question("low", "Feeling down, depressed or hopeless", "PHQ-2",
             "Select how often you have been feeling down, depressed or hopeless"),
    Question("nervous", "Feeling nervous, anxious or on edge", "GAD-2",
             "Select how often you have been feeling nervous, anxious or on edge"),
    Question("worrying", "Not being able to stop or control worrying", "GAD-2",
             "Select how often you have not been able to stop or control worrying"),
)
MOOD_MISSING = "Select a number from 0 to 10 for your mood"
NOTE_LONGEST = 500
# PHQ-2 or GAD-2 at or above this in two check-ins in a row: the way back is offered.
HIGH = 3
# Two high check-ins are still "now" while the later one is this recent.
RECENT = timedelta(days=28)
HISTORY_WEEKS = 12


def whole_number(value: object, low: int, high: int, message: str) -> int:
    """An answer as a whole number from low to high, or a refusal with `message` (missing,
    not a number, or out of range all get the same plain instruction)."""
    if isinstance(value, bool):
        raise Refused("out_of_range", message)
    try:
        number = int(value) if isinstance(value, int | str) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high or \
            (isinstance(value, str) and value.strip() != str(number)):
        raise Refused("out_of_range", message)
    return number


@dataclass(frozen=True)
class Answers:
    """A check-in as sent: four answers (0 to 3), mood (0 to 10), a note, signs ticked."""

    interest: object
    low: object
    nervous: object
    worrying: object
    mood: object
    note: str = ""
    signs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recorded:
    """A stored check-in, and when the one it replaced was sent (None: the first)."""

    check_in: CheckIn
    replaced: datetime | None


def this_week(user: User, now: datetime | None = None) -> CheckIn | None:
    """The person's check-in for the current London week, if they have sent one."""
    week = week_of(now or clock.now())
    return db.session.scalar(sa.select(CheckIn).where(CheckIn.user_id == user.id,
                                                      CheckIn.week == week))


def record(user: User, answers: Answers, now: datetime | None = None) -> Recorded:
    """Store this week's check-in. A second in the same week replaces the first (and
    says when that was). Any answer missing or out of range: refused, nothing stored.
    Two at the same instant: the unique (person, week) key stops the second insert, and
    sharon.writes runs it again, when it finds the first and replaces it."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    if not checking_in(user):
        raise Refused("off", "Check-ins are turned off. Turn them on to check in.")
    values = {q.name: whole_number(getattr(answers, q.name), 0, 3, q.missing)
              for q in QUESTIONS}
    values["mood"] = whole_number(answers.mood, 0, 10, MOOD_MISSING)
    note = clean_text(answers.note or "").strip()
    if len(note) > NOTE_LONGEST:
        raise Refused("note_too_long", f"Your note can be up to {NOTE_LONGEST} characters. "
                                       f"Yours has {len(note)}.")
    now = now or clock.now()
    found = this_week(user, now)
    replaced = None
    if found is None:
        found = CheckIn(user_id=user.id, week=week_of(now), created_at=now)
        db.session.add(found)
    else:
        replaced = found.updated_at
    for name, value in values.items():
        setattr(found, name, value)
    found.note, found.signs, found.updated_at = note, list(answers.signs), now
    db.session.flush()
    return Recorded(found, replaced)


def check_in_not_found() -> Refused:
    """The same refusal for "missing" and "not yours"."""
    return Refused("not_found", "We could not find that check-in.")


def check_in_for(user: User, check_in_id: int) -> CheckIn:
    """One of this person's own check-ins, or not_found."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    found = db.session.scalar(sa.select(CheckIn).where(CheckIn.id == check_in_id,
                                                       CheckIn.user_id == user.id))
    if found is None:
        raise check_in_not_found()
    return found


def history(user: User, weeks: int | None = None) -> list[CheckIn]:
    """The person's check-ins, newest first (all of them, or the last `weeks`)."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    query = sa.select(CheckIn).where(CheckIn.user_id == user.id).order_by(CheckIn.week.desc())
    if weeks is not None:
        query = query.limit(weeks)
    return list(db.session.scalars(query))


def delete_check_in(user: User, check_in_id: int) -> CheckIn:
    """Delete one of the person's check-ins for good."""
    found = check_in_for(user, check_in_id)
    db.session.delete(found)
    db.session.flush()
    return found


def delete_all_check_ins(user: User) -> int:
    """Delete every one of the person's check-ins for good; how many went."""
    permissions.check(user, Action.KEEP_A_STAYING_WELL_PLAN, ONLY_MEMBERS)
    result = db.session.execute(sa.delete(CheckIn).where(CheckIn.user_id == user.id)
                                .execution_options(synchronize_session=False))
    db.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- The way back and reminders ----------------------------------------------------------

@dataclass(frozen=True)
class WayBack:
    """Why the way back is shown now: two high check-ins in a row, signs ticked, or both."""

    high_scores: bool
    signs: tuple[str, ...]


def high(check_in: CheckIn) -> bool:
    """A check-in scoring 3 or more on PHQ-2 or on GAD-2."""
    return check_in.phq2 >= HIGH or check_in.gad2 >= HIGH


def way_back(user: User, now: datetime | None = None) -> WayBack | None:
    """Whether the person's own answers call for the way back, worked out now from their
    last two check-ins: both scoring 3 or more on PHQ-2 or GAD-2 (the later within the
    past four weeks), or warning signs ticked in this week's or last week's check-in."""
    now = now or clock.now()
    last_two = list(db.session.scalars(
        sa.select(CheckIn).where(CheckIn.user_id == user.id)
        .order_by(CheckIn.week.desc()).limit(2)))
    if not last_two:
        return None
    latest = last_two[0]
    this_monday = week_of(now)
    recent = latest.week >= week_of(now - RECENT)
    scores = recent and len(last_two) == 2 and all(high(c) for c in last_two)
    signs = tuple(latest.signs or ()) if latest.week >= this_monday - timedelta(days=7) \
        else ()
    if not scores and not signs:
        return None
    return WayBack(scores, signs)


@dataclass(frozen=True)
class Reminder:
    """The in-app reminder: today is the check-in day, or it has passed this week."""

    today: bool
    day: str


def reminder(user: User, now: datetime | None = None) -> Reminder | None:
    """On the person's check-in day, and the rest of that week, until they check in."""
    if not permissions.can(user, Action.KEEP_A_STAYING_WELL_PLAN):
        return None
    found = settings_for(user)
    if found is None or not found.enabled:
        return None
    now = now or clock.now()
    weekday = now.astimezone(LONDON).weekday()
    if weekday < found.weekday or this_week(user, now) is not None:
        return None
    return Reminder(weekday == found.weekday, WEEKDAYS[found.weekday])


def _email_due(now: datetime) -> list[sa.ColumnElement[bool]]:
    """The conditions for this week's email reminder, read by the job's list and again by
    the UPDATE that claims each send: so someone who turns reminders off, checks in, or
    whose account closes while a long run is going gets no email."""
    week = week_of(now)
    weekday = now.astimezone(LONDON).weekday()
    already = sa.exists().where(CheckIn.user_id == CheckInSettings.user_id,
                                CheckIn.week == week)
    may = (sa.select(User.id)
           .where(User.email.is_not(None), User.email != "", User.status == "active",
                  User.role.in_(permissions.roles_with(Action.KEEP_A_STAYING_WELL_PLAN))))
    return [CheckInSettings.enabled, CheckInSettings.email_reminder,
            CheckInSettings.weekday <= weekday,
            sa.or_(CheckInSettings.reminded_week.is_(None),
                   CheckInSettings.reminded_week < week),
            ~already, CheckInSettings.user_id.in_(may)]


def due_for_email(now: datetime) -> list[CheckInSettings]:
    """Everyone whose email reminder is due: check-ins and the email reminder on, their
    day reached this London week, no check-in yet this week and no reminder sent for it.
    Members and carers with an address and an active account only."""
    return list(db.session.scalars(
        sa.select(CheckInSettings).where(*_email_due(now)).order_by(CheckInSettings.user_id)))


def mark_reminded(user_id: int, now: datetime) -> bool:
    """Record this week's email reminder as sent to this person; False if it already was,
    or is no longer due (one conditional UPDATE, so two runs at once cannot both send it)."""
    result = db.session.execute(
        sa.update(CheckInSettings)
        .where(CheckInSettings.user_id == user_id, *_email_due(now))
        .values(reminded_week=week_of(now)).execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def people_checking_in() -> int:
    """How many people have check-ins turned on: an anonymous count, for the team."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(CheckInSettings)
                             .where(CheckInSettings.enabled)) or 0


def week_start(monday: date) -> datetime:
    """The first instant of a London week, for times shown beside it."""
    return datetime.combine(monday, time(0), LONDON)
