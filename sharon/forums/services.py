"""The forums' rules for writing: threads, replies, edits, reactions, follows.

Every function checks, then changes, then flushes; the view commits. Watched
words are checked by sharon.safety, the same check the Wall uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from sharon import safety
from sharon.content import clean_text, render_markdown, required_text, to_text
from sharon.extensions import db
from sharon.forums import visibility
from sharon.infra import clock
from sharon.models import (
    Category,
    ItemKind,
    Level,
    Notification,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    Resource,
    Thread,
    ThreadFollow,
    ThreadKind,
    User,
)
from sharon.models.forums import REACTIONS
from sharon.moderation import services as moderation
from sharon.permissions import Action, can
from sharon.refusals import Refused
from sharon.sanctions import services as sanctions

TITLE_MIN, TITLE_MAX = 5, 150
BODY_MAX = 10_000
NOTE_MAX = 100
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_-]{3,30})")
MAX_MENTIONS = 10

BLOCKED = ("Your post could not be published because it contains words that are not allowed "
           "here. Please read the community guidelines, change the wording and try again.")
CHANGED = ("This post changed while you were editing, so your changes have not been saved. "
           "Its text now is shown below. Your version is still in the box: change it if "
           "you need to, then save again.")
HELD = ("Thank you for posting. Your post will appear once a moderator has looked at it. "
        "This is how we keep the community safe, and is not a punishment.")


@dataclass(frozen=True)
class Outcome:
    """What happened to a post, so the view can tell its author."""

    post: Post
    held: bool
    crisis: bool


def not_found() -> Refused:
    """The same refusal for "missing" and "not yours to see", so neither is revealed."""
    return Refused("not_found", "We could not find that page.")


def category_for(user: User, category_id: int) -> Category:
    """A category this person may read, or not_found."""
    category = db.session.get(Category, category_id)
    if category is None or not visibility.may_see_category(user, category):
        raise not_found()
    return category


# Built once: the thread page, the forum's busiest, starts here.
_THREAD = (sa.select(Thread).options(so.joinedload(Thread.category))
           .where(Thread.id == sa.bindparam("thread_id")))


def thread_for(user: User, thread_id: int) -> Thread:
    """A thread this person may read, with its category, in one query; or not_found."""
    thread = db.session.execute(_THREAD, {"thread_id": thread_id}).scalar_one_or_none()
    if thread is None or not visibility.may_see_thread(user, thread):
        raise not_found()
    return thread


def post_for(user: User, post_id: int) -> Post:
    """A post this person may act on, or not_found."""
    post = db.session.get(Post, post_id)
    if post is None or not visibility.may_see_thread(user, post.thread):
        raise not_found()
    if can(user, Action.MODERATE) or post.author_id == user.id:
        return post
    # Removed, hidden and held posts are not there for anyone else, not even by id.
    if post.status != PostStatus.VISIBLE:
        raise not_found()
    return post


def _check_body(body: str) -> str:
    return required_text(body, BODY_MAX, "Please write something before posting.",
                         "Posts can be up to {limit} characters. Yours has {length}.")


def _check_note(note: str | None) -> str | None:
    note = " ".join(clean_text(note or "").split())
    if len(note) > NOTE_MAX:
        raise Refused("too_long", f"A content note can be up to {NOTE_MAX} characters.")
    return note or None


def _must_wait(user: User) -> bool:
    """New-member pre-moderation: a member's or carer's first N posts wait for approval."""
    first_n = current_app.config.get("SHARON_PREMODERATE_FIRST_POSTS", 0)
    if not first_n or can(user, Action.MODERATE):
        return False
    published = db.session.scalar(
        sa.select(sa.func.count()).select_from(Post).where(
            Post.author_id == user.id, Post.status == PostStatus.VISIBLE))
    return published < first_n


class Blocked(Refused):
    """Refused for its words; when they were also a risk the author sees crisis contacts."""

    def __init__(self, verdict: safety.Verdict) -> None:
        super().__init__("blocked", BLOCKED)
        self.verdict = verdict


def _screen(text: str) -> safety.Verdict:
    verdict = safety.check_all(text)
    if verdict.action == "block":
        raise Blocked(verdict)
    return verdict


def _new_post(user: User, thread: Thread, body: str, note: str | None,
              verdict: safety.Verdict, title: str = "") -> Post:
    # Numbers are handed out atomically, so two replies at once never share one.
    number = db.session.execute(
        sa.update(Thread).where(Thread.id == thread.id)
        .values(post_count=Thread.post_count + 1).returning(Thread.post_count)
    ).scalar_one()
    html = render_markdown(body)
    held = verdict.action == "hold" or _must_wait(user)
    post = Post(thread_id=thread.id, number=number, author_id=user.id, body_source=body,
                body_html=str(html), body_text=to_text(str(html)), search_title=title,
                content_note=note, created_at=clock.now(),
                status=PostStatus.HELD if held else PostStatus.VISIBLE,
                status_reason="watched words" if verdict.action == "hold" else
                ("new member" if held else ""))
    db.session.add(post)
    db.session.flush()
    if verdict.action in ("hold", "flag") or verdict.risk:
        moderation.enqueue(
            ItemKind.HELD if held else ItemKind.RISK, "post", post.id,
            level=Level.URGENT if verdict.risk else Level.HIGH,
            reason=verdict.describe(), risk_level=verdict.level,
            excerpt=post.body_text[:300], author=user)
    elif held:
        moderation.enqueue(ItemKind.HELD, "post", post.id, level=Level.NORMAL,
                           reason="new member's post", excerpt=post.body_text[:300],
                           author=user)
    return post


def _published(thread: Thread, post: Post) -> None:
    """A post became visible: move the thread's counters on and tell followers."""
    thread.last_activity_at = post.created_at if post.number > thread.last_number else \
        thread.last_activity_at
    thread.last_number = max(thread.last_number, post.number)
    thread.last_author_id = post.author_id
    if post.number > 1:
        thread.reply_count += 1
    thread.category.last_activity_at = clock.now()
    _notify(thread, post)


def create_thread(user: User, category: Category, title: str, kind: str, body: str,
                  content_note: str | None = None) -> Outcome:
    """Start a thread with its first post, checked, screened and perhaps held."""
    if not can(user, Action.POST):
        raise Refused("forbidden", "You cannot post.")
    sanctions.check_may_post(user)  # a mute, anywhere, or a warning not yet read
    if not visibility.may_see_category(user, category):
        raise not_found()
    title = " ".join(clean_text(title).split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise Refused("title", f"A title needs {TITLE_MIN} to {TITLE_MAX} characters.")
    if kind not in set(ThreadKind):
        raise Refused("kind", "Choose what kind of thread this is.")
    body = _check_body(body)
    note = _check_note(content_note)
    verdict = _screen(f"{title}\n{body}")
    now = clock.now()
    thread = Thread(category=category, author_id=user.id, title=title, kind=kind,
                    content_note=note, created_at=now, last_activity_at=now, post_count=0)
    db.session.add(thread)
    db.session.flush()
    post = _new_post(user, thread, body, None, verdict, title=title)
    thread.held = post.status == PostStatus.HELD
    category.thread_count += 1
    follow(user, thread)
    if not thread.held:
        _published(thread, post)
    db.session.flush()
    return Outcome(post, thread.held, verdict.risk)


def reply(user: User, thread: Thread, body: str, content_note: str | None = None) -> Outcome:
    """Add a post to a thread (refused when locked, except for the team)."""
    if not can(user, Action.POST):
        raise Refused("forbidden", "You cannot post.")
    sanctions.check_may_post(user)  # a mute, anywhere, or a warning not yet read
    if not visibility.may_see_thread(user, thread):
        raise not_found()
    if thread.hidden or thread.held:
        raise Refused("closed", "This thread is not open for replies.")
    if thread.locked and not can(user, Action.MODERATE):
        raise Refused("locked", "This thread is locked, so no new replies can be added.")
    body = _check_body(body)
    note = _check_note(content_note)
    verdict = _screen(body)
    post = _new_post(user, thread, body, note, verdict)
    follow(user, thread)
    if post.status == PostStatus.VISIBLE:
        _published(thread, post)
    db.session.flush()
    return Outcome(post, post.status == PostStatus.HELD, verdict.risk)


def quote(post: Post) -> str:
    """The Markdown a quote-reply starts with (only ever of a visible post)."""
    if post.status != PostStatus.VISIBLE:
        raise not_found()
    author = post.author.username if post.author else "someone"
    quoted = "\n".join(f"> {line}" for line in post.body_source.splitlines()[:30])
    return f"@{author} wrote:\n{quoted}\n\n"


class Changed(Refused):
    """The post was edited again after this edit's form was drawn."""

    def __init__(self) -> None:
        super().__init__("changed", CHANGED)


def edit(user: User, post: Post, body: str, content_note: str | None = None,
         based_on: int | None = None) -> Outcome:
    """Save an edit made to version `based_on` of the post (by default the version this
    request read); if the post has moved on since, save nothing and raise Changed."""
    if post.author_id != user.id:
        raise Refused("forbidden", "You can only edit your own posts.")
    if post.status in (PostStatus.DELETED, PostStatus.HIDDEN):
        raise Refused("forbidden", "This post can no longer be edited.")
    sanctions.check_may_post(user)
    body = _check_body(body)
    note = _check_note(content_note)
    verdict = _screen(body)
    based_on = post.version if based_on is None else based_on
    # Move the version on only from the one this edit began with: one atomic statement
    # on both databases, so of two edits based on the same version exactly one is saved,
    # and the history keeps every version once.
    taken = db.session.execute(
        sa.update(Post).where(Post.id == post.id, Post.version == based_on)
        .values(version=based_on + 1).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise Changed()
    db.session.refresh(post)  # the text of version `based_on`, read under the row's lock
    db.session.add(PostRevision(post_id=post.id, version=based_on,
                                body_source=post.body_source, body_html=post.body_html,
                                created_at=post.edited_at or post.created_at,
                                replaced_at=clock.now()))
    html = render_markdown(body)
    post.body_source, post.body_html, post.body_text = body, str(html), to_text(str(html))
    post.content_note = note if post.number > 1 else None
    post.edited_at = clock.now()
    if verdict.action == "hold" and post.status == PostStatus.VISIBLE:
        post.status = PostStatus.HELD
        post.status_reason = "watched words (edit)"
    if verdict.action in ("hold", "flag") or verdict.risk:
        moderation.enqueue(
            ItemKind.HELD if post.status == PostStatus.HELD else ItemKind.RISK, "post",
            post.id, level=Level.URGENT if verdict.risk else Level.HIGH,
            reason="in an edit: " + verdict.describe(), risk_level=verdict.level,
            excerpt=post.body_text[:300], author=user)
    db.session.flush()
    return Outcome(post, post.status == PostStatus.HELD, verdict.risk)


def delete(user: User, post: Post) -> None:
    """Remove one's own post; it stays as "removed" so replies keep their place."""
    if post.author_id != user.id:
        raise Refused("forbidden", "You can only remove your own posts.")
    if post.status == PostStatus.DELETED:
        return
    was_visible = post.status == PostStatus.VISIBLE
    post.status = PostStatus.DELETED
    post.status_reason = "removed by the author"
    if was_visible and post.number > 1:
        post.thread.reply_count = max(0, post.thread.reply_count - 1)
    db.session.flush()


def toggle_reaction(user: User, post: Post, kind: str) -> bool:
    """Add the reaction, or take it back if it is there; returns whether it is now on."""
    if kind not in REACTIONS:
        raise Refused("invalid", "That reaction does not exist.")
    if post.status != PostStatus.VISIBLE:
        raise Refused("forbidden", "You cannot react to this post.")
    existing = db.session.get(Reaction, (post.id, user.id, kind))
    if existing:
        db.session.delete(existing)
        db.session.flush()
        return False
    db.session.add(Reaction(post_id=post.id, user_id=user.id, kind=kind,
                            created_at=clock.now()))
    db.session.flush()
    return True


def follow(user: User, thread: Thread) -> None:
    """Get notified of new replies in a thread."""
    if db.session.get(ThreadFollow, (user.id, thread.id)) is None:
        db.session.add(ThreadFollow(user_id=user.id, thread_id=thread.id))
        db.session.flush()


def unfollow(user: User, thread: Thread) -> None:
    """Stop notifications from a thread."""
    existing = db.session.get(ThreadFollow, (user.id, thread.id))
    if existing:
        db.session.delete(existing)
        db.session.flush()


def _notify(thread: Thread, post: Post) -> None:
    """Followers hear of replies; people named with @username hear they were mentioned.
    Only people who may see the thread now hear anything (it may have been moved)."""
    author_id = post.author_id
    now = clock.now()
    names = list({m.lower() for m in MENTION_RE.findall(post.body_source)})[:MAX_MENTIONS]
    named = set(db.session.scalars(sa.select(User.id).where(User.username_key.in_(names)))) \
        if names else set()
    followers = set(db.session.scalars(sa.select(ThreadFollow.user_id).where(
        ThreadFollow.thread_id == thread.id))) if post.number > 1 else set()
    may_see = visibility.viewers(thread, (named | followers) - {author_id})
    for user_id in sorted(may_see):
        kind = "mention" if user_id in named else "reply"
        db.session.add(Notification(user_id=user_id, kind=kind, actor_id=author_id,
                                    thread_id=thread.id, post_id=post.id, created_at=now))


def approve(post: Post) -> None:
    """A held post is published (used by forum moderation)."""
    thread = post.thread
    post.status = PostStatus.VISIBLE
    post.status_reason = ""
    if post.number == 1:
        thread.held = False
    _published(thread, post)
    db.session.flush()


def discussion_for(user: User, resource: Resource, url: str) -> Thread:
    """The forum thread about a library resource, only ever in a space with the resource's
    audience (sharon.library.services.discussion_spaces): found, or started by this person
    on first use, so their own sanctions, screening and pre-moderation apply. Drafts,
    scheduled and members-only resources have none."""
    from sharon.library import services as library  # the library's rules use the forums'

    refusal = library.discussion_refusal(user, resource)
    if refusal is not None:
        raise refusal
    spaces = library.discussion_spaces(user, resource)
    existing = db.session.scalars(
        sa.select(Thread).join(Category, Category.id == Thread.category_id)
        .where(Thread.resource_id == resource.id, spaces,
               visibility.thread_rule(False, user.id))  # never a hidden or another's held one
        .order_by(Thread.id)).first()
    if existing is not None:
        return existing
    category = db.session.scalars(
        sa.select(Category).where(spaces).order_by(Category.position, Category.id)).first()
    if category is None:
        raise Refused("not_found", library.NO_SPACE)
    body = (f"A place to talk about **{resource.title}** from the library: {url}\n\n"
            f"{resource.summary}").strip()
    outcome = create_thread(user, category, f"Talking about: {resource.title}"[:TITLE_MAX],
                            ThreadKind.CHAT, body)
    outcome.post.thread.resource_id = resource.id
    db.session.flush()
    return outcome.post.thread
