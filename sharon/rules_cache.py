"""Rules read on every Wall message and rarely changed (office hours, watched words),
kept by each worker for a few seconds instead of read from the database each time.

Staleness is bounded and never crosses a change made here: flushing a change to a table
a rule reads drops that rule in this worker at once (again at commit or rollback), and
the session that made the change reads around the cache until then, so it sees its own
edit. A change made by another worker (or process), or written here past the ORM
(`connection().execute`, the engine), is seen within TTL_SECONDS. Entries live in
`app.extensions`, so every app (every test) starts with none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

TTL_SECONDS = 5.0
_monotonic = time.monotonic  # tests move this clock, not everyone's
T = TypeVar("T")

_EXTENSION = "sharon.rules_cache"
_CHANGED = "sharon.rules_changed"   # in Session.info: rules this session has changed
_READERS: dict[str, set[str]] = {}  # table name -> the rules that read it


@dataclass
class _Entry:
    value: Any
    key: Hashable
    loaded: float


@dataclass
class _Store:
    entries: dict[str, _Entry]
    generation: dict[str, int]   # bumped at each drop, so a load that raced one is not kept


def reads(rule: str, *tables: str) -> str:
    """Declare that `rule` is loaded from these tables; returns the rule's name."""
    for table in tables:
        _READERS.setdefault(table, set()).add(rule)
    return rule


def tables() -> set[str]:
    """The tables some kept rule reads."""
    return set(_READERS)


def _store(app: Flask) -> _Store:
    store = app.extensions.get(_EXTENSION)
    if store is None:
        store = app.extensions[_EXTENSION] = _Store({}, {})
    return store


def cached(rule: str, key: Hashable, load: Callable[[], T], *, fresh: bool = False) -> T:
    """The rule's value for `key`, loaded again when older than TTL_SECONDS, when the key
    changed, when `fresh` is asked for, or when this session has changed it unseen."""
    from sharon.extensions import db

    if db.session.autoflush:
        db.session.flush()  # as a query would: a pending change is then noted below
    store = _store(current_app)
    entry = store.entries.get(rule)
    own_change = rule in db.session.info.get(_CHANGED, ())
    started = _monotonic()
    if (not fresh and not own_change and entry is not None and entry.key == key
            and started - entry.loaded < TTL_SECONDS):
        return entry.value  # type: ignore[no-any-return]
    generation = store.generation.get(rule, 0)
    value = load()
    if not own_change and store.generation.get(rule, 0) == generation:
        # Aged from before the read, so no copy outlives TTL_SECONDS from the database.
        store.entries[rule] = _Entry(value, key, started)
    return value


def drop(rules: Iterable[str]) -> None:
    """Forget these rules in this worker (the current app)."""
    if not has_app_context():
        return
    store = _store(current_app)
    for rule in rules:
        store.entries.pop(rule, None)
        store.generation[rule] = store.generation.get(rule, 0) + 1


def _note(session: Session, tables: Iterable[str]) -> None:
    rules = {rule for table in tables for rule in _READERS.get(table, ())}
    if rules:
        session.info.setdefault(_CHANGED, set()).update(rules)
        drop(rules)


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    # new, dirty and deleted still hold what this flush wrote.
    changed = (*session.new, *session.dirty, *session.deleted)
    _note(session, {getattr(obj, "__tablename__", "") for obj in changed})


@sa.event.listens_for(Session, "do_orm_execute")
def _bulk_change(state: ORMExecuteState) -> None:
    # sa.insert()/update()/delete() run without a flush, so the flush hook never sees them.
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _note(state.session, {getattr(table, "name", "")})


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_rollback")
def _settled(session: Session) -> None:
    rules = session.info.pop(_CHANGED, None)
    if rules:
        drop(rules)  # again: another greenlet may have loaded it before this commit
