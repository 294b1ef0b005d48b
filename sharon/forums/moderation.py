"""Reports and forum moderation: hide, lock, pin, move, approve. Every action is logged."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.content import clean_text
from sharon.extensions import db
from sharon.forums import services
from sharon.infra import clock
from sharon.models import (
    Audit,
    Category,
    ItemKind,
    Level,
    Post,
    PostStatus,
    Report,
    Thread,
    User,
)
from sharon.models.forums import REPORT_REASONS
from sharon.moderation import services as moderation
from sharon.permissions import Action, can
from sharon.refusals import Refused

AUTO_HIDE_REPORTS = 3
POST_ACTIONS = ("hide", "unhide", "approve", "reject")
THREAD_ACTIONS = ("hide", "unhide", "lock", "unlock", "pin", "unpin", "move")


def report(user: User, post: Post, reason: str, detail: str) -> bool:
    """Report a post; returns True if this report hid it (the third distinct reporter)."""
    if not can(user, Action.REPORT):
        raise Refused("forbidden", "You cannot report posts.")
    if reason not in REPORT_REASONS:
        raise Refused("invalid", "Choose a reason for your report.")
    if post.author_id == user.id:
        raise Refused("invalid", "You cannot report your own post. You can edit or remove it.")
    detail = clean_text(detail).strip()
    if len(detail) > 1000:
        raise Refused("too_long", "Please keep the details under 1,000 characters.")
    already = db.session.scalar(sa.select(Report).where(Report.post_id == post.id,
                                                        Report.reporter_id == user.id))
    if already:
        raise Refused("duplicate", "You have already reported this post. Thank you: the "
                                   "moderating team will look at it.")
    db.session.add(Report(post_id=post.id, reporter_id=user.id, reason=reason, detail=detail,
                          created_at=clock.now()))
    db.session.flush()
    level = Level.URGENT if reason == "risk" else Level.NORMAL
    moderation.enqueue(ItemKind.REPORT, "post", post.id, level=level,
                       reason=REPORT_REASONS[reason], detail=detail,
                       excerpt=post.body_text[:300], reporter=user, author=post.author)
    reporters = db.session.scalar(sa.select(sa.func.count(sa.distinct(Report.reporter_id)))
                                  .where(Report.post_id == post.id))
    if reporters >= AUTO_HIDE_REPORTS and post.status == PostStatus.VISIBLE:
        # Protect the community when nobody is on duty: hidden until a moderator looks.
        _set_post_status(post, PostStatus.HIDDEN, f"hidden after {reporters} reports")
        moderation.record(None, Audit.POST_AUTO_HIDE, "post", post.id,
                          reason=f"reported by {reporters} people")
        return True
    return False


def _set_post_status(post: Post, status: PostStatus, reason: str) -> None:
    thread = post.thread
    was_visible = post.status == PostStatus.VISIBLE
    post.status = status
    post.status_reason = reason
    if post.number > 1 and was_visible and status != PostStatus.VISIBLE:
        thread.reply_count = max(0, thread.reply_count - 1)
    if post.number > 1 and not was_visible and status == PostStatus.VISIBLE:
        thread.reply_count += 1
    db.session.flush()


def moderate_post(moderator: User, post: Post, action: str, reason: str) -> str:
    """Hide, show, approve or reject a post, with a reason for the audit log."""
    if not can(moderator, Action.MODERATE):
        raise Refused("forbidden", "Only the moderating team can do that.")
    if action not in POST_ACTIONS:
        raise Refused("invalid", "Unknown moderation action.")
    reason = clean_text(reason).strip()[:500]
    if action == "hide":
        if post.status not in (PostStatus.VISIBLE, PostStatus.HELD):
            raise Refused("invalid", "This post cannot be hidden.")
        _set_post_status(post, PostStatus.HIDDEN, reason or "hidden by a moderator")
        message = "The post is hidden."
    elif action == "unhide":
        if post.status != PostStatus.HIDDEN:
            raise Refused("invalid", "This post is not hidden.")
        _set_post_status(post, PostStatus.VISIBLE, "")
        message = "The post is visible again."
    elif action == "approve":
        if post.status != PostStatus.HELD:
            raise Refused("invalid", "This post is not waiting for approval.")
        services.approve(post)
        message = "The post is approved and published."
    else:  # reject
        if post.status != PostStatus.HELD:
            raise Refused("invalid", "This post is not waiting for approval.")
        _set_post_status(post, PostStatus.HIDDEN, reason or "not approved")
        message = "The post was not approved and stays hidden."
    moderation.record(moderator, Audit(f"post_{action}"), "post", post.id, reason=reason,
                      thread_id=post.thread_id)
    moderation.resolve("post", post.id, moderator, f"{action}: {reason}" if reason else action)
    db.session.flush()
    return message


def moderate_thread(moderator: User, thread: Thread, action: str, reason: str,
                    category_id: int | None = None) -> str:
    """Hide, show, lock, pin or move a thread, with a reason for the audit log."""
    if not can(moderator, Action.MODERATE):
        raise Refused("forbidden", "Only the moderating team can do that.")
    if action not in THREAD_ACTIONS:
        raise Refused("invalid", "Unknown moderation action.")
    reason = clean_text(reason).strip()[:500]
    detail: dict[str, object] = {}
    if action in ("hide", "unhide"):
        thread.hidden = action == "hide"
    elif action in ("lock", "unlock"):
        thread.locked = action == "lock"
    elif action in ("pin", "unpin"):
        thread.pinned = action == "pin"
    else:
        target = db.session.get(Category, category_id) if category_id else None
        if target is None:
            raise Refused("invalid", "Choose a category to move the thread to.")
        if target.id == thread.category_id:
            raise Refused("invalid", "The thread is already in that category.")
        detail = {"from": thread.category_id, "to": target.id}
        thread.category.thread_count = max(0, thread.category.thread_count - 1)
        target.thread_count += 1
        thread.category = target
    moderation.record(moderator, Audit(f"thread_{action}"), "thread", thread.id, reason=reason,
                      **detail)
    db.session.flush()
    past = {"hide": "hidden", "unhide": "visible again", "lock": "locked",
            "unlock": "unlocked", "pin": "pinned", "unpin": "unpinned", "move": "moved"}
    return f"The thread is {past[action]}."
