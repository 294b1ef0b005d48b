"""Keyset pagination: a page link carries the sort key of the row it continues from.

OFFSET makes the database walk past every earlier row, so the thousandth page of a
category cost a thousand times the first. Here "Older" is `?after=<token>` (the last
row's key) and "Newer" is `?before=<token>` (the first row's key), and each page is one
index range scan of `per_page + 1` rows, at any depth. Every listing sorts newest
first, each key column descending, with a unique column (an id) last, so a row-value
comparison `(a, b, id) < (:a, :b, :id)` names exactly the rows after the token's.

Tokens are signed (with the app's secret key and a salt per listing), so a link that
was changed, cut short, made for another listing or signed with an old key is refused
as a whole: listings then show their first page with a 400 and say why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import current_app, request
from itsdangerous import BadData, URLSafeSerializer

from sharon.infra import bounds

T = TypeVar("T")
MAX_TOKEN = 400  # longer than any token SHaRON makes: refused before any decoding
BAD_LINK = ("That page link was not valid: it may have been changed, cut short, or made "
            "before the site was updated. Here is the first page instead.")


class BadToken(ValueError):
    """A page link whose token is not one this site made for this listing."""


def _serializer(listing: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"keyset:{listing}")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def encode(listing: str, key: Sequence[Any]) -> str:
    """A row's sort key as a URL-safe, signed token for `listing`."""
    return _serializer(listing).dumps([_plain(v) for v in key])


_CHECKS: dict[type, Callable[[Any], Any]] = {
    bool: lambda v: v if isinstance(v, bool) else None,
    int: lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None,
    float: lambda v: float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None,
    datetime: lambda v: _aware(datetime.fromisoformat(v)) if isinstance(v, str) else None,
}


def _aware(value: datetime) -> datetime | None:
    return value if value.tzinfo is not None else None


def decode(listing: str, token: str, types: Sequence[type]) -> tuple[Any, ...]:
    """The sort key in a token, checked value by value against `types`; BadToken if it
    was not made by `encode` for this listing with keys of these types."""
    if not token or len(token) > MAX_TOKEN:
        raise BadToken(listing)
    try:
        values = _serializer(listing).loads(token)
    except BadData as error:
        raise BadToken(listing) from error
    if not isinstance(values, list) or len(values) != len(types):
        raise BadToken(listing)
    key = []
    for value, kind in zip(values, types, strict=True):
        try:
            checked = _CHECKS[kind](value)
        except (TypeError, ValueError) as error:
            raise BadToken(listing) from error
        if checked is None:
            raise BadToken(listing)
        key.append(checked)
    return tuple(key)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after a key (older rows), before one (newer rows), or at the top."""

    after: tuple[Any, ...] | None = None
    before: tuple[Any, ...] | None = None

    @property
    def first(self) -> bool:
        """Whether this is the listing's first page."""
        return self.after is None and self.before is None


def cursor_args(listing: str, types: Sequence[type]) -> tuple[Cursor, bool]:
    """The page asked for by `?after=` or `?before=`, and whether the link was bad (then
    the first page, which the view answers with a 400 and BAD_LINK)."""
    after, before = request.args.get("after"), request.args.get("before")
    try:
        if after is not None:
            return Cursor(after=decode(listing, after, types)), False
        if before is not None:
            return Cursor(before=decode(listing, before, types)), False
    except BadToken:
        return Cursor(), True
    return Cursor(), False


def old_page_link() -> bool:
    """Whether the address is an old numbered-page link past the first (`?page=3`), which
    the listings send to their first page: a page number no longer names a place in them."""
    return bounds.page_arg() > 1


@dataclass(frozen=True)
class Window(Generic[T]):
    """One page of a listing and the tokens for its "Newer" and "Older" links."""

    items: list[T]
    newer: str | None
    older: str | None


def keyset_window(run: Callable[[sa.Select[Any]], Sequence[T]], stmt: sa.Select[Any],
                  keys: Sequence[sa.ColumnElement[Any]], key_of: Callable[[T], tuple[Any, ...]],
                  listing: str, cursor: Cursor, per_page: int) -> Window[T]:
    """One page of `stmt` in the order of `keys` (all descending), from `cursor`.

    `run` executes a statement and returns its rows (or ORM objects), and `key_of` reads
    a row's key back. One statement per page; two only for a "Newer" page that reached
    the top, which is shown as the first page, so it is always full.
    """
    row = sa.tuple_(*keys)

    def at(key: tuple[Any, ...]) -> sa.Tuple:
        return sa.tuple_(*[sa.literal(v, k.type) for v, k in zip(key, keys, strict=True)])

    if cursor.before is not None:
        rows = list(run(stmt.where(row > at(cursor.before))
                        .order_by(*[k.asc() for k in keys]).limit(per_page + 1)))
        if len(rows) > per_page:
            rows = rows[:per_page][::-1]
            return Window(rows, encode(listing, key_of(rows[0])),
                          encode(listing, key_of(rows[-1])))
        cursor = Cursor()
    ordered = stmt.order_by(*[k.desc() for k in keys]).limit(per_page + 1)
    rows = list(run(ordered.where(row < at(cursor.after)) if cursor.after is not None
                    else ordered))
    if not rows and cursor.after is not None:  # everything older went meanwhile: the top
        cursor = Cursor()
        rows = list(run(ordered))
    more = len(rows) > per_page
    rows = rows[:per_page]
    newer = encode(listing, key_of(rows[0])) if rows and cursor.after is not None else None
    older = encode(listing, key_of(rows[-1])) if rows and more else None
    return Window(rows, newer, older)
