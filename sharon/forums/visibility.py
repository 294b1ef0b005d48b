"""Who may see which spaces, threads and posts. Restricted spaces are 404, never 403."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from sharon.extensions import db
from sharon.models import Category, CategoryAudience, Post, PostStatus, Thread, User, user_networks
from sharon.permissions import Action, can, roles_with


def sees_everything(user: User) -> bool:
    """The moderating team sees every space in every network."""
    return can(user, Action.SEE_TEAM_SPACES)


def audiences_for(user: User) -> list[str]:
    """Which category audiences this person may read."""
    audiences = [CategoryAudience.EVERYONE.value]
    if can(user, Action.SEE_CARER_SPACES):
        audiences.append(CategoryAudience.CARERS.value)
    if can(user, Action.SEE_TEAM_SPACES):
        audiences.append(CategoryAudience.TEAM.value)
    return audiences


_NETWORK_IDS = sa.select(user_networks.c.network_id).where(
    user_networks.c.user_id == sa.bindparam("user_id"))


def network_ids(user: User) -> list[int]:
    """The user's networks, read once per request with a light query."""
    cached = getattr(user, "_network_ids", None)
    if cached is None:
        cached = list(db.session.connection().execute(
            _NETWORK_IDS, {"user_id": user.id}).scalars())
        user._network_ids = cached  # type: ignore[attr-defined]
    return cached


def category_clause(user: User) -> ColumnElement[bool]:
    """SQL that keeps only the categories this person may read."""
    return category_rule(reader(user), user.id, audiences_for(user))


class Reader(NamedTuple):
    """What decides a reader's view, for statements built once per kind of reader."""

    reads: bool
    sees_everything: bool
    moderator: bool


def reader(user: User) -> Reader:
    """What a person may see, reduced to the values the visibility SQL needs."""
    return Reader(can(user, Action.READ_COMMUNITY), sees_everything(user),
                  can(user, Action.MODERATE))


def category_rule(kind: Reader, user_id: int | ColumnElement[int],
                  audiences: Iterable[str]) -> ColumnElement[bool]:
    """Which spaces a kind of reader sees, for category_clause and for statements built
    once with bind parameters (`audiences` is audiences_for(user)). The audiences are
    written as equalities, not IN: SQLAlchemy renders an IN list again on every run of
    a statement built once, and these rules are on the busiest pages."""
    if not kind.reads:
        return sa.false()
    if kind.sees_everything:
        return sa.true()
    return sa.and_(Category.network_id.in_(sa.select(user_networks.c.network_id).where(
        user_networks.c.user_id == user_id)), _any_of(Category.audience, audiences))


def _any_of(column: ColumnElement[str], values: Iterable[str]) -> ColumnElement[bool]:
    """`column IN values`, as equalities a statement built once keeps compiled. No values
    is false, as `IN ()` is: an empty OR would drop out of the AND around it and let
    every value through."""
    return sa.or_(sa.false(), *[column == value for value in values])


def may_see_category(user: User, category: Category) -> bool:
    """Whether this person may read this category (its network and audience)."""
    if not can(user, Action.READ_COMMUNITY):
        return False
    if sees_everything(user):
        return True
    return category.network_id in network_ids(user) and category.audience in audiences_for(user)


def thread_clause(user: User) -> ColumnElement[bool]:
    """Hidden and held threads: the team sees them; an author sees their own held thread."""
    return thread_rule(can(user, Action.MODERATE), user.id)


def thread_rule(moderator: bool, user_id: int | ColumnElement[int]) -> ColumnElement[bool]:
    """thread_clause for statements built once and reused (user_id a bind parameter)."""
    if moderator:
        return sa.true()
    return sa.and_(Thread.hidden.is_(False),
                   sa.or_(Thread.held.is_(False), Thread.author_id == user_id))


def may_see_thread(user: User, thread: Thread) -> bool:
    """Whether this person may read this thread (hidden and held ones too)."""
    if not may_see_category(user, thread.category):
        return False
    if can(user, Action.MODERATE):
        return True
    return not thread.hidden and (not thread.held or thread.author_id == user.id)


def post_clause(user: User) -> ColumnElement[bool]:
    """Removed posts stay as a placeholder; held and hidden ones only for the team (and
    a held post for its author)."""
    return post_rule(can(user, Action.MODERATE), user.id)


def post_rule(moderator: bool, user_id: int | ColumnElement[int]) -> ColumnElement[bool]:
    """post_clause for statements built once and reused (user_id a bind parameter)."""
    if moderator:
        return sa.true()
    return sa.or_(_any_of(Post.status, [PostStatus.VISIBLE.value, PostStatus.DELETED.value]),
                  sa.and_(Post.status == PostStatus.HELD.value, Post.author_id == user_id))


def viewers(thread: Thread, user_ids: Iterable[int]) -> set[int]:
    """Which of these people may see the thread now: one query, however many there are.

    The same rules as may_see_thread, in SQL, for notifying followers and mentions.
    """
    ids = set(user_ids)
    if not ids:
        return set()
    audience = thread.category.audience
    readers = [r for r in roles_with(Action.READ_COMMUNITY)
               if audience == CategoryAudience.EVERYONE
               or (audience == CategoryAudience.CARERS and r in roles_with(
                   Action.SEE_CARER_SPACES))
               or (audience == CategoryAudience.TEAM and r in roles_with(
                   Action.SEE_TEAM_SPACES))]
    in_network = sa.exists().where(user_networks.c.user_id == User.id,
                                   user_networks.c.network_id == thread.category.network_id)
    sees_space = sa.or_(User.role.in_(roles_with(Action.SEE_TEAM_SPACES)),
                        sa.and_(User.role.in_(readers), in_network))
    conditions = [User.id.in_(ids), User.status == "active", sees_space]
    if thread.hidden or thread.held:
        moderators = User.role.in_(roles_with(Action.MODERATE))
        conditions.append(moderators if thread.hidden or thread.author_id is None else
                          sa.or_(moderators, User.id == thread.author_id))
    return set(db.session.scalars(sa.select(User.id).where(*conditions)))
