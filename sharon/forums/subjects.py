"""What the forums put in front of the moderating team: where each subject is seen, and
who in the team may see it (a post in a carers' or another network's space is never
shown, or alerted, to someone who cannot open it)."""

from __future__ import annotations

from flask import url_for

from sharon.extensions import db
from sharon.forums import visibility
from sharon.models import Post, Thread, User
from sharon.moderation import alerts, services


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


def register() -> None:
    services.SUBJECT_LINKS.update(post=_post_link, thread=_thread_link)
    alerts.AUDIENCES.update(post=_may_see_post, thread=_may_see_thread)
