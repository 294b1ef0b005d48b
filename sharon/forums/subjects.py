"""What the forums put in front of the moderating team: where each subject is seen, and
who in the team may see it (a post in a carers' or another network's space is never
shown, or alerted, to someone who cannot open it)."""

from __future__ import annotations

from flask import url_for

from sharon.extensions import db
from sharon.forums import visibility
from sharon.models import Post, PostStatus, Thread, User
from sharon.moderation.subjects import Subject, held_by_status
from sharon.moderation.subjects import register as register_subjects


def _post_link(post_id: int) -> str | None:
    return url_for("forums.post", post_id=post_id)


def _thread_link(thread_id: int) -> str | None:
    return url_for("forums.thread", thread_id=thread_id)


def _may_see_post(moderator: User, post_id: int) -> bool:
    post = db.session.get(Post, post_id)
    return post is not None and visibility.may_see_thread(moderator, post.thread)


def _may_see_thread(moderator: User, thread_id: int) -> bool:
    thread = db.session.get(Thread, thread_id)
    return thread is not None and visibility.may_see_thread(moderator, thread)


def _review_post(post_id: int) -> str:
    return url_for("forums.moderate_post", post_id=post_id)


def register() -> None:
    """Tell the moderation queue about forum posts and threads (from the app factory)."""
    register_subjects(
        Subject("post", "forum post", "the forums", _post_link, _may_see_post,
                held_by_status(Post.id, Post.status, PostStatus.HELD), _review_post),
        Subject("thread", "forum thread", "the forums", _thread_link, _may_see_thread),
        # Refused words kept for the team: nothing to open, and only the author's name.
        Subject("refused_post", "refused forum post", "the forums"),
    )
