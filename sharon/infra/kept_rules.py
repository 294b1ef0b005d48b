"""Kept rules: what every Wall message asks and staff rarely change (office hours,
watched words), kept by each worker for up to TTL_SECONDS instead of read each time.

A change counts in this worker at once because the service that makes it says so:
after flushing, it calls `forget(rule)`. That drops the kept copy now, and again when
the session's transaction ends (commit or rollback), so a copy read by another request
while the change was on its way is not kept either. Until then the session that made
the change reads the rule afresh and keeps nothing: it sees its own edit, and nobody
sees an edit before its commit, nor after its rollback. A change made on another worker,
or not through a service (a migration, SQL by hand), counts within TTL_SECONDS.

    CALENDAR = "wall_calendar"                                  # the rule's name
    kept_rules.get(CALENDAR, today, _read)                      # on every message
    db.session.flush(); kept_rules.forget(CALENDAR)             # in each service that changes it

Each app keeps its own (`app.extensions`), so every test starts with none.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from cachetools import TLRUCache
from flask import current_app, has_app_context
from sqlalchemy.orm import Session, SessionTransaction

TTL_SECONDS = 5.0
_monotonic = time.monotonic  # tests move this clock, not everyone's
T = TypeVar("T")

_EXTENSION = "sharon.infra.kept_rules"
_CHANGED = "sharon.infra.kept_rules.changed"  # in Session.info: rules changed in this transaction


@dataclass(frozen=True)
class _Copy:
    value: Any
    key: Hashable
    read_at: float  # when the read began: no copy outlives TTL_SECONDS from the database


class KeptRules:
    """One app's kept rules."""

    def __init__(self) -> None:
        self._copies: TLRUCache[str, _Copy] = TLRUCache(
            maxsize=64, ttu=lambda _rule, copy, _now: copy.read_at + TTL_SECONDS,
            timer=lambda: _monotonic())
        self._forgets: dict[str, int] = {}  # per rule, so a read that raced a forget is dropped
        self._lock = threading.Lock()  # cachetools is not thread-safe; nothing here waits

    def get(self, rule: str, key: Hashable, load: Callable[[], T], *, fresh: bool,
            keep: bool) -> T:
        """The kept copy if fresh for this key; otherwise read, keep and return it."""
        if not fresh:
            with self._lock:
                copy = self._copies.get(rule)
            if copy is not None and copy.key == key:
                return copy.value  # type: ignore[no-any-return]
        with self._lock:
            forgets = self._forgets.get(rule, 0)
        read_at = _monotonic()
        value = load()
        if keep:
            with self._lock:
                if self._forgets.get(rule, 0) == forgets:
                    self._copies[rule] = _Copy(value, key, read_at)
        return value

    def forget(self, rules: set[str]) -> None:
        """Drop a rule now (a changing service calls this)."""
        with self._lock:
            for rule in rules:
                self._copies.pop(rule, None)
                self._forgets[rule] = self._forgets.get(rule, 0) + 1


def _kept() -> KeptRules:
    kept = current_app.extensions.get(_EXTENSION)
    if kept is None:
        kept = current_app.extensions[_EXTENSION] = KeptRules()
    return kept  # type: ignore[no-any-return]


def get(rule: str, key: Hashable, load: Callable[[], T], *, fresh: bool = False) -> T:
    """The rule's value for `key`: the kept copy if it was read for the same key less than
    TTL_SECONDS ago, else read now with `load` (and kept). `fresh` reads it now. A session
    that has changed the rule reads it now and keeps nothing until its transaction ends."""
    from sharon.extensions import db

    changed = rule in db.session.info.get(_CHANGED, ())
    return _kept().get(rule, key, load, fresh=fresh or changed, keep=not changed)


def forget(*rules: str) -> None:
    """Say that this session has changed these rules (call it after the flush): they are
    forgotten in this worker now and again when the transaction ends."""
    from sharon.extensions import db

    _kept().forget(set(rules))
    session = db.session()  # this session alone: nothing listens to every session
    session.info.setdefault(_CHANGED, set()).update(rules)
    if not sa.event.contains(session, "after_transaction_end", _ended):
        sa.event.listen(session, "after_transaction_end", _ended)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction goes on
        return
    rules = session.info.pop(_CHANGED, None)
    if rules and has_app_context():
        # Again: another request may have read and kept the old rule since the change.
        _kept().forget(rules)
