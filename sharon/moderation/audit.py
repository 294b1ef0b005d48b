"""Reading the audit log: filtered, newest first, a page at a time or as a streamed CSV.

The log itself is written by `moderation.services.record` and protected by the database
(a trigger refuses UPDATE and DELETE, migration 9d4b2f7e1a60); this module only reads.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from sharon.extensions import db
from sharon.infra import bounds
from sharon.infra.templating import LONDON
from sharon.models import Audit, ModerationAction, User
from sharon.models.moderation import LEGACY_AUDIT_NAMES
from sharon.moderation.subjects import subject

PER_PAGE = 100
_CSV_BATCH = 500


@dataclass(frozen=True)
class AuditFilter:
    """What the reader asked to see; empty fields do not filter."""

    person: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None
    subject_type: str = ""
    subject_id: int | None = None

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments, for links that keep it."""
        args = {"person": self.person, "action": self.action,
                "since": self.since.isoformat() if self.since else "",
                "until": self.until.isoformat() if self.until else "",
                "subject_type": self.subject_type,
                "subject_id": str(self.subject_id) if self.subject_id else ""}
        return {k: v for k, v in args.items() if v}


def parse(args: Mapping[str, str]) -> tuple[AuditFilter, dict[str, str]]:
    """The filter from a query string, with a plain message for each field that is wrong
    (a wrong field filters nothing, so the page still shows something useful)."""
    errors: dict[str, str] = {}
    person = " ".join((args.get("person") or "").split())[:40]
    action = (args.get("action") or "").strip()
    if action and Audit.of(action) is None:
        errors["action"] = "Choose an action from the list."
        action = ""
    dates: dict[str, date | None] = {}
    for field in ("since", "until"):
        raw = (args.get(field) or "").strip()
        try:
            dates[field] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[field] = "Enter a date like 2026-11-27."
            dates[field] = None
    if dates["since"] and dates["until"] and dates["until"] < dates["since"]:
        errors["until"] = "The last day must be on or after the first day."
        dates["until"] = None
    subject_type = (args.get("subject_type") or "").strip()[:30]
    raw_id = (args.get("subject_id") or "").strip()
    subject_id = None
    if raw_id:
        if raw_id.isdigit() and len(raw_id) <= 18 and 0 < int(raw_id) <= bounds.MAX_ID:
            subject_id = int(raw_id)
        else:
            errors["subject_id"] = "Enter the number of the thing, like 42."
    return AuditFilter(person, action, dates["since"], dates["until"], subject_type,
                       subject_id), errors


def _names(action: str) -> list[str]:
    """The stored names of one kind of line, older names included."""
    kind = Audit.of(action)
    if kind is None:
        return []
    return [kind.value, *(old for old, new in LEGACY_AUDIT_NAMES.items() if new == kind.value)]


def _london_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LONDON)


def query(wanted: AuditFilter) -> sa.Select[tuple[ModerationAction]]:
    """The lines that match, newest first, with their actors loaded."""
    stmt = sa.select(ModerationAction).options(so.joinedload(ModerationAction.actor))
    if wanted.person:
        stmt = stmt.join(User, User.id == ModerationAction.actor_id).where(
            User.username_key == wanted.person.lower())
    if wanted.action:
        stmt = stmt.where(ModerationAction.action.in_(_names(wanted.action)))
    if wanted.since:
        stmt = stmt.where(ModerationAction.created_at >= _london_start(wanted.since))
    if wanted.until:
        stmt = stmt.where(ModerationAction.created_at
                          < _london_start(wanted.until + timedelta(days=1)))
    if wanted.subject_type:
        stmt = stmt.where(ModerationAction.subject_type == wanted.subject_type)
    if wanted.subject_id is not None:
        stmt = stmt.where(ModerationAction.subject_id == wanted.subject_id)
    return stmt.order_by(ModerationAction.id.desc())


def page(wanted: AuditFilter, before: int | None) -> tuple[list[ModerationAction], int | None]:
    """One page of lines older than `before` (by id), and where the next page starts."""
    stmt = query(wanted)
    if before is not None:
        stmt = stmt.where(ModerationAction.id < before)
    rows = list(db.session.scalars(stmt.limit(PER_PAGE + 1)))
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    return rows, (rows[-1].id if more else None)


CSV_HEADER = ("id", "when_utc", "who", "action", "what_happened", "subject_type",
              "subject", "subject_id", "reason", "detail")


def csv_lines(wanted: AuditFilter) -> Iterator[str]:
    """The matching lines as CSV, produced a batch at a time so that any number of lines
    streams without being held in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    before: int | None = None
    while True:
        stmt = query(wanted)
        if before is not None:
            stmt = stmt.where(ModerationAction.id < before)
        rows = list(db.session.scalars(stmt.limit(_CSV_BATCH)))
        for row in rows:
            kind = row.kind
            writer.writerow((
                row.id, row.created_at.isoformat(), row.actor.username if row.actor else "",
                row.action, kind.label if kind else "", row.subject_type,
                subject(row.subject_type).label, row.subject_id, _safe_cell(row.reason),
                _safe_cell(json.dumps(row.detail, sort_keys=True, default=str))))
            db.session.expunge(row)  # a long export keeps no line it has written
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < _CSV_BATCH:
            return
        before = rows[-1].id


def _safe_cell(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs (CSV
    # injection): a staff member's reason is free text, so it is shown as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
