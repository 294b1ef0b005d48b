"""A thread's posts, each a remembered piece (sharon/infra/remembered.py).

A post looks the same to everyone in the same position: team or not, its author or
not, the same reactions pressed, the same muted word. The key holds the body too, so
an edit, a hide or a new reaction makes a new key, and a stale post cannot be served.

A post holds no token: its buttons submit the page's one form of post actions (or, for
the team, the post's moderation form), whose CSRF token the thread page renders itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from markupsafe import Markup

from sharon.forums.queries import PostRow, ThreadView
from sharon.infra import remembered
from sharon.models import PostStatus, Role


class PostPiece(NamedTuple):
    """Everything one rendered post shows: the key of its remembered piece."""

    id: int
    thread_id: int
    page: int  # of the thread, for the link that quotes the post
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


POST = remembered.declare("forums/_post.html", "post_item", PostPiece,
                        helpers=("url_for", "reaction_labels", "london"))


def post_key(view: ThreadView, post: PostRow, reader_id: int, is_mod: bool) -> PostPiece:
    """The one place a post's key is made: all the post shows, from where the reader is."""
    thread, row = view.thread, post.row
    return PostPiece(
        id=row.id, thread_id=thread.id, page=view.page.number, number=row.number,
        status=row.status, status_reason=row.status_reason, body_html=row.body_html,
        note=row.content_note or (thread.content_note if row.number == 1 else None),
        created_at=row.created_at, edited_at=row.edited_at, author_name=row.username,
        author_label=Role(row.role).label if row.role else "",
        is_mod=is_mod, is_mine=row.author_id == reader_id,
        can_quote=row.status == PostStatus.VISIBLE and (not thread.locked or is_mod),
        counts=post.counts, pressed=post.pressed, muted_by=post.muted_by)


def post_list(view: ThreadView, reader_id: int, is_mod: bool) -> Markup:
    """The page's posts as HTML, the same for every reader in the same position."""
    return Markup("".join([remembered.html(POST, post_key(view, post, reader_id, is_mod))
                           for post in view.posts]))
