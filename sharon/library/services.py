"""The library's rules: who sees what, writing and publishing, saving and feedback.

Services flush and never commit. Changes to media files are returned as lists
of stored names for the view to delete *after* its commit, so a rolled-back
change never loses a file that the database still points at.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from sharon.content import clean_text, render_markdown, to_text
from sharon.extensions import db
from sharon.forums import visibility
from sharon.infra import clock, keyset
from sharon.library.media import Slot, Stored
from sharon.models import (
    Audience,
    Audit,
    Category,
    CategoryAudience,
    ModerationAction,
    Network,
    Resource,
    ResourceFeedback,
    ResourceKind,
    ResourceStatus,
    SavedResource,
    Tag,
    User,
    resource_tags,
)
from sharon.models.versions import PageVersion
from sharon.moderation.services import history as audit_history
from sharon.moderation.services import record
from sharon.permissions import Action, can
from sharon.refusals import Refused

SUBJECT = "resource"
MAX_TAGS = 8
WORDS_PER_MINUTE = 200
PER_PAGE = 12


# --- Who sees what -----------------------------------------------------------------------------

def live_clause(now: datetime) -> sa.ColumnElement[bool]:
    """Published, or scheduled for a time that has come."""
    return sa.and_(Resource.status.in_([ResourceStatus.PUBLISHED, ResourceStatus.SCHEDULED]),
                   Resource.publish_at.is_not(None), Resource.publish_at <= now)


def visible_resources(user: User | None) -> sa.Select[tuple[Resource]]:
    """Every resource this person may see (the search service filters through this too).

    Clinicians and admins (PUBLISH_RESOURCES) see everything, drafts included. Everyone
    else sees live resources for one of their networks, and for their kind of reader:
    members the members' and both, carers the carers' and both; the moderating team
    (peer supporters, volunteers) reads both, as they answer members and carers alike.
    Anyone signed out, or suspended, sees nothing.
    """
    query = sa.select(Resource)
    if can(user, Action.PUBLISH_RESOURCES):
        return query
    if user is None or not can(user, Action.SAVE_RESOURCES):
        return query.where(sa.false())
    query = query.where(live_clause(clock.now()))
    audiences = [Audience.BOTH]
    if can(user, Action.SEE_MEMBER_SPACES):
        audiences.append(Audience.MEMBERS)
    if can(user, Action.SEE_CARER_SPACES):
        audiences.append(Audience.CARERS)
    if len(audiences) < len(Audience):
        query = query.where(Resource.audience.in_(audiences))
    network_ids = [n.id for n in user.networks]
    return query.where(Resource.networks.any(Network.id.in_(network_ids)))


def get_visible(user: User | None, resource_id: int) -> Resource | None:
    """The resource if this person may see it; None (a 404) if not, or if there is none."""
    return db.session.scalar(visible_resources(user).where(Resource.id == resource_id))


LISTING_KEY = (datetime, int)  # publish_at (updated_at for staff), id: a page's token


@dataclass(frozen=True)
class Page:
    items: Sequence[Resource]
    newer: str | None  # token for the "Newer" link (?before=)
    older: str | None  # token for the "Older" link (?after=)
    total: int


def listing(user: User, kind: str | None = None, tag: str | None = None,
            cursor: keyset.Cursor | None = None, per_page: int = PER_PAGE,
            staff_view: bool = False) -> Page:
    """One page of the index, newest first, filtered by kind and tag slug, by keyset on
    (publish_at, id), or (updated_at, id) for the staff's list of everything."""
    query = visible_resources(user)
    if not staff_view:
        query = query.where(live_clause(clock.now()))
    if kind in (ResourceKind.BLOG, ResourceKind.VIDEO):
        query = query.where(Resource.kind == kind)
    if tag:
        query = query.where(Resource.tags.any(Tag.slug == tag))
    # The library is small (a few hundred resources at most): its count is cheap, and
    # "12 resources match your filter" is worth it.
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    keys = [Resource.updated_at, Resource.id] if staff_view else \
        [Resource.publish_at, Resource.id]
    window = keyset.keyset_window(
        lambda s: db.session.scalars(s).unique().all(), query, keys,
        (lambda r: (r.updated_at, r.id)) if staff_view else (lambda r: (r.publish_at, r.id)),
        "library-manage" if staff_view else "library", cursor or keyset.Cursor(), per_page)
    return Page(window.items, window.newer, window.older, total)


def tags_in_use(user: User) -> Sequence[Tag]:
    """Tags on live resources this person can see, for the index's filter."""
    visible = (visible_resources(user).where(live_clause(clock.now()))
               .with_only_columns(Resource.id))
    return db.session.scalars(
        sa.select(Tag).where(Tag.id.in_(
            sa.select(resource_tags.c.tag_id).where(resource_tags.c.resource_id.in_(visible))))
        .order_by(Tag.name)
    ).all()


def related(user: User, resource: Resource, limit: int = 3) -> Sequence[Resource]:
    """Other live resources this person can see that share a tag, most shared tags first."""
    tag_ids = [t.id for t in resource.tags]
    if not tag_ids:
        return []
    shared = (sa.select(resource_tags.c.resource_id,
                        sa.func.count().label("shared"))
              .where(resource_tags.c.tag_id.in_(tag_ids))
              .group_by(resource_tags.c.resource_id).subquery())
    query = (visible_resources(user).where(live_clause(clock.now()), Resource.id != resource.id)
             .join(shared, shared.c.resource_id == Resource.id)
             .order_by(shared.c.shared.desc(), Resource.publish_at.desc(), Resource.id.desc())
             .limit(limit))
    return db.session.scalars(query).all()


# --- In search results -------------------------------------------------------------------------

# Markdown's marks, for search excerpts drawn from a resource's source text: links and
# images keep their words; headings, quotes, list and rule lines lose their marks; emphasis
# and code marks go, but not a * or _ inside a word or standing alone ("5 * 3", "snake_case").
_MARKDOWN_MARKS = (
    (re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)?"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M), ""),
    (re.compile(r"^(…?)[ \t]*(?:#{1,6}|>+|[-*+]|\d{1,9}[.)])(?:[ \t]+|$)", re.M), r"\1"),
    (re.compile(r"(?<!\\)(?:\*\*|__|~~|`+)"), ""),
    (re.compile(r"(?<![\w\\])[*_](?=\S)|(?<=[^\s\\])[*_](?!\w)"), ""),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),
)


def plain_excerpt(excerpt: str) -> str:
    """A search excerpt of a resource's Markdown as the words a reader sees, without ** or
    # marks (the database's own match markers are kept, for highlighting)."""
    for pattern, replacement in _MARKDOWN_MARKS:
        excerpt = pattern.sub(replacement, excerpt)
    return excerpt


# --- Talking about it in the forums -----------------------------------------------------------

# A resource's discussion lives in a forum space with the resource's own audience, so it
# never carries the resource's words to people the resource is not for. No space is for
# members alone (carers read 'everyone' spaces too), so members-only resources have none.
DISCUSSION_AUDIENCE = {Audience.BOTH: CategoryAudience.EVERYONE,
                       Audience.CARERS: CategoryAudience.CARERS}
NOT_LIVE = ("Drafts and scheduled resources are not talked about in the forums: the "
            "discussion can start once this is published.")
MEMBERS_ONLY = ("This resource is only for people who have finished therapy. No forum space "
                "is for them alone (relatives and carers read the shared spaces too), so it "
                "has no forum discussion.")
NO_SPACE = "There is no forum space to talk about this yet."


def discussion_spaces(user: User, resource: Resource) -> sa.ColumnElement[bool]:
    """SQL for the forum spaces this resource's discussion may be in, for this person:
    the resource's audience, one of its networks, and a space they may read."""
    audience = DISCUSSION_AUDIENCE.get(Audience(resource.audience))
    if audience is None:
        return sa.false()
    return sa.and_(Category.audience == audience.value,
                   Category.network_id.in_([n.id for n in resource.networks]),
                   visibility.category_clause(user))


def discussion_refusal(user: User, resource: Resource) -> Refused | None:
    """Why this person cannot go to this resource's discussion (None: they can); the
    resource page shows it in place of the button, and the forums refuse with it."""
    if get_visible(user, resource.id) is None:
        return Refused("not_found", "We could not find that page.")
    if not resource.is_live(clock.now()):
        return Refused("not_live", NOT_LIVE)
    if Audience(resource.audience) not in DISCUSSION_AUDIENCE:
        return Refused("no_space", MEMBERS_ONLY)
    if db.session.scalar(sa.select(Category.id).where(
            discussion_spaces(user, resource)).limit(1)) is None:
        return Refused("no_space", NO_SPACE)
    return None


# --- Writing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResourceInput:
    """What staff type on the edit page (media files arrive separately)."""

    title: str
    summary: str
    body: str = ""
    transcript: str = ""
    audience: Audience = Audience.BOTH
    network_ids: Sequence[int] = field(default_factory=tuple)
    tags: str = ""
    duration_seconds: int | None = None


def check_publisher(user: User) -> None:
    """Refuse anyone who may not change the library, whichever door they came through."""
    if not can(user, Action.PUBLISH_RESOURCES):
        raise Refused("forbidden", "Only clinicians and admins can change the library.")


def slugify(name: str) -> str:
    """A tag's name as it appears in links."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]


def parse_tags(raw: str) -> list[tuple[str, str]]:
    """"Sleep, low mood" -> [(name, slug)]; refuses too many or meaningless tags."""
    tags: dict[str, str] = {}
    for part in clean_text(raw).split(","):
        name = " ".join(part.split())
        if not name:
            continue
        if len(name) > 40:
            raise Refused("invalid_tags", "Keep each tag under 40 characters.")
        slug = slugify(name)
        if not slug:
            raise Refused("invalid_tags", "Tags need letters or numbers.")
        tags.setdefault(slug, name.lower())
    if len(tags) > MAX_TAGS:
        raise Refused("invalid_tags", f"Use at most {MAX_TAGS} tags.")
    return [(name, slug) for slug, name in tags.items()]


def _tags(raw: str) -> list[Tag]:
    wanted = parse_tags(raw)
    known = {t.slug: t for t in db.session.scalars(
        sa.select(Tag).where(Tag.slug.in_([slug for _, slug in wanted])))} if wanted else {}
    found: list[Tag] = []
    for name, slug in wanted:
        if slug not in known:
            known[slug] = Tag(name=name, slug=slug)
            db.session.add(known[slug])
        found.append(known[slug])
    return found


def _apply(resource: Resource, info: ResourceInput) -> list[str]:
    """Copy the input onto the resource; returns the names of the fields that changed."""
    # NUL and other control characters never reach the database (PostgreSQL refuses NUL).
    title, summary = clean_text(info.title).strip(), clean_text(info.summary).strip()
    body, transcript = clean_text(info.body), clean_text(info.transcript).strip()
    if not title:
        raise Refused("empty", "Enter a title.")
    if not summary:
        raise Refused("empty", "Enter a short summary.")
    networks = list(db.session.scalars(sa.select(Network).where(
        Network.id.in_(list(info.network_ids)))))
    if not networks:
        raise Refused("no_network", "Choose at least one network this resource is for.")
    html = str(render_markdown(body))
    words = len(to_text(html).split())
    new = {
        "title": title,
        "summary": summary,
        "body_source": body,
        "body_html": html,
        "reading_minutes": max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0,
        "transcript": transcript,
        "audience": str(Audience(info.audience)),
        "duration_seconds": info.duration_seconds,
    }
    changed = [name for name, value in new.items()
               if getattr(resource, name) != value and name not in ("body_html",
                                                                   "reading_minutes")]
    for name, value in new.items():
        setattr(resource, name, value)
    tags = _tags(info.tags)
    if {t.slug for t in tags} != {t.slug for t in resource.tags}:
        changed.append("tags")
    resource.tags = tags
    if {n.id for n in networks} != {n.id for n in resource.networks}:
        changed.append("networks")
    resource.networks = networks
    return changed


def create(author: User, kind: ResourceKind, info: ResourceInput) -> Resource:
    """A new draft, written by `author`."""
    check_publisher(author)
    now = clock.now()
    resource = Resource(kind=str(kind), author=author, created_at=now, updated_at=now,
                        updated_by=author, status=ResourceStatus.DRAFT)
    _apply(resource, info)
    db.session.add(resource)
    db.session.flush()
    record(author, Audit.RESOURCE_CREATE, SUBJECT, resource.id, kind=str(kind),
           title=resource.title)
    return resource


def update(actor: User, resource: Resource, info: ResourceInput) -> list[str]:
    """Save edits; returns the names of the fields that changed (recorded in the audit log)."""
    check_publisher(actor)
    changed = _apply(resource, info)
    if resource.status != ResourceStatus.DRAFT:
        _check_publishable(resource)
    if changed:
        _touch(actor, resource, Audit.RESOURCE_UPDATE, changed=changed)
    return changed


def _touch(actor: User, resource: Resource, action: Audit, **detail: object) -> None:
    resource.updated_at = clock.now()
    resource.updated_by = actor
    db.session.flush()
    record(actor, action, SUBJECT, resource.id, title=resource.title, **detail)


def publish_problems(resource: Resource) -> list[str]:
    """What stops this resource being published, in plain words."""
    problems = []
    if resource.kind == ResourceKind.BLOG and not resource.body_source.strip():
        problems.append("Write the blog post before publishing it.")
    if resource.kind == ResourceKind.VIDEO:
        if not resource.video_file:
            problems.append("Upload the video file before publishing.")
        if not resource.captions_file:
            problems.append("Upload captions (a WebVTT file) before publishing: everyone "
                            "must be able to follow the video without sound.")
    return problems


def _check_publishable(resource: Resource) -> None:
    problems = publish_problems(resource)
    if problems:
        raise Refused("not_ready", " ".join(problems))


def publish(actor: User, resource: Resource, when: datetime | None = None) -> None:
    """Publish now, or schedule for `when` (a time in the future)."""
    check_publisher(actor)
    _check_publishable(resource)
    now = clock.now()
    if when is None:
        resource.status = ResourceStatus.PUBLISHED
        resource.publish_at = now
        _touch(actor, resource, Audit.RESOURCE_PUBLISH)
        return
    if when <= now:
        raise Refused("invalid_time", "Choose a time in the future, or publish it now.")
    resource.status = ResourceStatus.SCHEDULED
    resource.publish_at = when
    _touch(actor, resource, Audit.RESOURCE_SCHEDULE, publish_at=when.isoformat())


def unpublish(actor: User, resource: Resource) -> None:
    """Back to a draft: members no longer see it, nor its media."""
    check_publisher(actor)
    resource.status = ResourceStatus.DRAFT
    resource.publish_at = None
    _touch(actor, resource, Audit.RESOURCE_UNPUBLISH)


def attach(actor: User, resource: Resource, slot: Slot, stored: Stored,
           duration_seconds: int | None = None) -> list[str]:
    """Point the resource at a newly uploaded file; returns the replaced file's name."""
    check_publisher(actor)
    if resource.kind != ResourceKind.VIDEO:
        raise Refused("bad_request", "Only videos have media files.")
    old: str | None
    if slot is Slot.VIDEO:
        old = resource.video_file
        resource.video_file, resource.video_type = stored.name, stored.content_type
        resource.video_bytes = stored.size
        if duration_seconds is not None:
            resource.duration_seconds = duration_seconds
    elif slot is Slot.POSTER:
        old = resource.poster_file
        resource.poster_file, resource.poster_type = stored.name, stored.content_type
    else:
        old = resource.captions_file
        resource.captions_file = stored.name
    _touch(actor, resource, Audit.RESOURCE_FILE_UPLOAD, slot=slot.value, bytes=stored.size,
           content_type=stored.content_type, replaced=bool(old))
    return [old] if old else []


def delete(actor: User, resource: Resource) -> list[str]:
    """Delete the resource; returns its stored files, for the view to remove after commit."""
    check_publisher(actor)
    files = resource.stored_files
    record(actor, Audit.RESOURCE_DELETE, SUBJECT, resource.id, title=resource.title,
           kind=resource.kind)
    db.session.delete(resource)
    db.session.flush()
    return files


def history(resource: Resource) -> Sequence[ModerationAction]:
    """Who changed this resource, and when (the audit log)."""
    return audit_history(SUBJECT, resource.id)


# --- Saving and feedback -----------------------------------------------------------------------

def is_saved(user: User, resource: Resource) -> bool:
    """Whether this person saved this resource."""
    return db.session.get(SavedResource, (user.id, resource.id)) is not None


def save(user: User, resource: Resource) -> None:
    """Keep it in "My saved resources" (saving twice is harmless)."""
    if not can(user, Action.SAVE_RESOURCES):
        raise Refused("forbidden", "You cannot save resources.")
    if not is_saved(user, resource):
        db.session.add(SavedResource(user_id=user.id, resource_id=resource.id,
                                     saved_at=clock.now()))
        db.session.flush()


def unsave(user: User, resource: Resource) -> None:
    """Remove a saved resource (nothing happens if it was not saved)."""
    db.session.execute(sa.delete(SavedResource).where(SavedResource.user_id == user.id,
                                                      SavedResource.resource_id == resource.id))


def saved_for(user: User) -> Sequence[Resource]:
    """This person's saved resources that they can still see, most recently saved first."""
    query = (visible_resources(user).where(live_clause(clock.now()))
             .join(SavedResource, SavedResource.resource_id == Resource.id)
             .where(SavedResource.user_id == user.id)
             .order_by(SavedResource.saved_at.desc(), Resource.id.desc()))
    return db.session.scalars(query).all()


def answer(user: User, resource: Resource, helped: bool) -> None:
    """Record (or change) this person's answer to "did this help?"."""
    if not can(user, Action.SAVE_RESOURCES):
        raise Refused("forbidden", "You cannot answer this.")
    feedback = db.session.get(ResourceFeedback, (user.id, resource.id))
    if feedback is None:
        db.session.add(ResourceFeedback(user_id=user.id, resource_id=resource.id, helped=helped,
                                        answered_at=clock.now()))
    else:
        feedback.helped = helped
        feedback.answered_at = clock.now()
    db.session.flush()


def my_answer(user: User, resource: Resource) -> bool | None:
    """This person's "did this help?" answer, if they gave one."""
    feedback = db.session.get(ResourceFeedback, (user.id, resource.id))
    return None if feedback is None else feedback.helped


def feedback_counts(resource: Resource) -> tuple[int, int]:
    """(helped, did not help): for staff only."""
    rows = db.session.execute(
        sa.select(ResourceFeedback.helped, sa.func.count())
        .where(ResourceFeedback.resource_id == resource.id)
        .group_by(ResourceFeedback.helped)).all()
    counts = {bool(helped): count for helped, count in rows}
    return counts.get(True, 0), counts.get(False, 0)


def versions(now: datetime) -> tuple[object, ...]:
    """What the library's index shows beside the reader, as versions for its ETag: the
    library's, people's and networks' counters (bumped by triggers) and the newest
    resource live by `now`, which moves when a scheduled one comes live. One statement."""
    counter = sa.select(PageVersion.version).where(PageVersion.name == sa.bindparam("name"))
    return tuple(db.session.execute(sa.select(
        counter.params(name="library").scalar_subquery(),
        counter.params(name="people").scalar_subquery(),
        counter.params(name="networks").scalar_subquery(),
        sa.select(sa.func.max(Resource.publish_at)).where(Resource.publish_at <= now)
        .scalar_subquery())).one())
