"""A thread's posts, each rendered once and remembered (sharon/rendered.py).

A post looks the same to everyone in the same position: team or not, its author or
not, the same reactions pressed, the same muted word. The key holds the body too, so
an edit, a hide or a new reaction makes a new key, and a stale post cannot be served.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from markupsafe import Markup

from sharon import rendered
from sharon.forums.queries import ThreadView
from sharon.models import PostStatus, Role


class PostFragment(NamedTuple):
    """Everything one rendered post depends on; the cache's key."""

    id: int
    number: int
    status: str
    status_reason: str
    body_html: str
    note: str | None
    created_at: datetime
    edited_at: datetime | None
    author_name: str | None
    author_label: str
    # Where the reader stands.
    is_mod: bool
    is_mine: bool
    can_quote: bool
    counts: tuple[int, ...]
    pressed: tuple[bool, ...]
    muted_by: str | None
    post_base: str
    quote_base: str


def post_list(view: ThreadView, reader_id: int, is_mod: bool, post_base: str,
              quote_base: str) -> Markup:
    """The page's posts as HTML, with this reader's CSRF token in their forms.

    `post_base` and `quote_base` are the start of each post's links; its id follows.
    """
    thread = view.thread
    pieces = []
    for post in view.posts:
        row = post.row
        pieces.append(rendered.piece("forums/_post.html", "post_item", PostFragment(
            id=row.id, number=row.number, status=row.status, status_reason=row.status_reason,
            body_html=row.body_html,
            note=row.content_note or (thread.content_note if row.number == 1 else None),
            created_at=row.created_at, edited_at=row.edited_at, author_name=row.username,
            author_label=Role(row.role).label if row.role else "",
            is_mod=is_mod, is_mine=row.author_id == reader_id,
            can_quote=row.status == PostStatus.VISIBLE and (not thread.locked or is_mod),
            counts=post.counts, pressed=post.pressed, muted_by=post.muted_by,
            post_base=post_base, quote_base=quote_base)))
    return rendered.with_token("".join(pieces))
