"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL tsvector.

The index is kept in step by the database (triggers or a generated column, made
in the migrations); visibility is decided at query time, so hiding, deleting or
moving something changes results at once. Results are paged by keyset, and only the
newest CANDIDATE_CAP matches are ranked, so a word found everywhere stays fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup, escape

from sharon.content import clean_text
from sharon.extensions import db
from sharon.forums import visibility
from sharon.infra import keyset
from sharon.models import Category, Post, PostStatus, Thread, User

START, STOP = "\x02", "\x03"
MAX_TERMS = 12
_TOKENS = re.compile(r'"([^"]*)"|(\w+)', re.UNICODE)


def is_search_object(name: str | None, type_: str) -> bool:
    """Schema objects made by hand for search, which Alembic's autogenerate must ignore."""
    if type_ == "table" and name and name.startswith(("posts_fts", "resources_fts")):
        return True
    return (type_, name) in {("column", "search_vector"), ("index", "ix_posts_search_vector"),
                             ("index", "ix_resources_search_vector")}


def fts5_query(text: str) -> str | None:
    """A person's words as a safe FTS5 query: every term quoted, so no operator, bracket
    or stray quote typed by anyone can change its meaning or raise an error."""
    terms: list[str] = []
    for phrase, word in _TOKENS.findall(text):
        words = re.findall(r"\w+", phrase) if phrase else [word]
        if words:
            terms.append('"' + " ".join(words) + '"')
        if len(terms) >= MAX_TERMS:
            break
    return " ".join(terms) or None


def highlight(snippet: str) -> Markup:
    """Escape a snippet, then turn the database's match markers into <mark>."""
    safe = str(escape(snippet.replace("\n", " ")))
    return Markup(safe.replace(START, "<mark>").replace(STOP, "</mark>"))


@dataclass(frozen=True)
class Hit:
    post_id: int
    thread_id: int
    thread_title: str
    number: int
    category_name: str
    author: str | None
    created_at: datetime
    snippet: Markup


# Ranking costs per match, and a word in a third of all posts matches hundreds of
# thousands: so only the newest CANDIDATE_CAP matches (an index walk, newest first, that
# stops there) are ranked, and the page says so when there were more.
CANDIDATE_CAP = 1_000
PER_PAGE = 20
RESULT_KEY = (float, int)  # rank, post id: a results page's token (sharon.infra.keyset)


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    newer: str | None  # token for "Previous results" (?before=)
    older: str | None  # token for "More results" (?after=)
    limited: bool  # more posts matched than the newest `cap`, which alone were ranked
    cap: int


def _visible(user: User) -> list[sa.ColumnElement[bool]]:
    # Search never shows hidden or held content, even to the team.
    return [
        Post.status == PostStatus.VISIBLE,
        Thread.hidden.is_(False),
        Thread.held.is_(False),
        visibility.category_clause(user),
    ]


def search_posts(user: User, text: str, cursor: keyset.Cursor | None = None,
                 per_page: int | None = None) -> Results:
    """Posts (and thread titles) this person may read that match the words, the most
    relevant first among the newest CANDIDATE_CAP matches, a page at a time by keyset
    on (rank, id)."""
    cap, per_page = CANDIDATE_CAP, per_page or PER_PAGE
    cursor = cursor or keyset.Cursor()
    text = clean_text(text).strip()[:200]
    postgres = db.engine.dialect.name == "postgresql"
    query = (text if postgres else fts5_query(text)) if text else None
    if not query:
        return Results([], None, None, False, cap)
    best = _candidates(query, postgres, cap)
    if cursor.before is not None:
        rows = _page(user, query, postgres, best, cursor.before, newer=True, per_page=per_page)
        if len(rows) > per_page:
            rows = rows[:per_page][::-1]
            return _results(rows, True, True, query, postgres, cap)
        cursor = keyset.Cursor()  # back at the top: show the first page, full
    rows = _page(user, query, postgres, best, cursor.after, newer=False, per_page=per_page)
    if not rows and cursor.after is not None:
        cursor = keyset.Cursor()
        rows = _page(user, query, postgres, best, None, newer=False, per_page=per_page)
    return _results(rows[:per_page], cursor.after is not None, len(rows) > per_page, query,
                    postgres, cap)


def _results(rows: list[sa.Row], newer: bool, older: bool, query: str, postgres: bool,
             cap: int) -> Results:  # type: ignore[type-arg]
    hits = [Hit(post_id=r.id, thread_id=r.thread_id, thread_title=r.title, number=r.number,
                category_name=r.category_name, author=r.username, created_at=r.created_at,
                snippet=highlight(r.snippet or "")) for r in rows]
    return Results(
        hits, keyset.encode("search", (rows[0].rank, rows[0].id)) if rows and newer else None,
        keyset.encode("search", (rows[-1].rank, rows[-1].id)) if rows and older else None,
        _match_count(query, postgres, cap + 1) > cap, cap)


def _match_count(query: str, postgres: bool, at_most: int) -> int:
    """How many posts match, counting no further than `at_most`."""
    if postgres:
        inner = sa.select(Post.id).where(
            sa.literal_column("posts.search_vector").op("@@")(
                sa.func.websearch_to_tsquery("english", query)),
            Post.status == PostStatus.VISIBLE).limit(at_most)
    else:
        inner = sa.select(sa.literal_column("rowid")).select_from(sa.table("posts_fts")).where(
            sa.literal_column("posts_fts").op("MATCH")(query)).limit(at_most)
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner.subquery())) or 0


def _candidates(query: str, postgres: bool, cap: int) -> sa.Subquery:
    """The newest `cap` matches and their rank (higher is better), from the index alone:
    newest first is the index's own order on SQLite (FTS5 rowids) and a walk back along
    the primary key on PostgreSQL, so a common word stops after `cap` matches."""
    if postgres:
        # websearch_to_tsquery accepts anything a person types (quotes, -, or) without error.
        tsquery = sa.func.websearch_to_tsquery("english", query)
        vector = sa.literal_column("posts.search_vector")
        # float8, so a rank read back and sent in a page link compares equal to itself.
        rank = sa.cast(sa.func.ts_rank_cd(vector, tsquery), sa.Float(53))
        return sa.select(Post.id.label("id"), rank.label("rank")) \
            .where(vector.op("@@")(tsquery), Post.status == PostStatus.VISIBLE) \
            .order_by(Post.id.desc()).limit(cap).subquery("best")
    fts, rowid = sa.literal_column("posts_fts"), sa.literal_column("posts_fts.rowid")
    return sa.select(rowid.label("id"), (-sa.func.bm25(fts, 4.0, 1.0)).label("rank")) \
        .select_from(sa.table("posts_fts")).where(fts.op("MATCH")(query)) \
        .order_by(rowid.desc()).limit(cap).subquery("best")


def _columns() -> list[sa.ColumnElement]:  # type: ignore[type-arg]
    return [Post.id, Post.thread_id, Post.number, Post.created_at, Thread.title,
            Category.name.label("category_name"), User.username]


def _joined(select: sa.Select) -> sa.Select:  # type: ignore[type-arg]
    return (select.join(Thread, Thread.id == Post.thread_id)
            .join(Category, Category.id == Thread.category_id)
            .outerjoin(User, User.id == Post.author_id))


def _page(user: User, query: str, postgres: bool, best: sa.Subquery, key: tuple | None,
          newer: bool, per_page: int) -> list[sa.Row]:  # type: ignore[type-arg]
    """Up to per_page + 1 visible candidates past `key`, best first (or, for `newer`, the
    ones just before it, nearest first), each with its snippet."""
    row = sa.tuple_(best.c.rank, Post.id)
    order = [best.c.rank.asc(), Post.id.asc()] if newer else \
        [best.c.rank.desc(), Post.id.desc()]
    ranked = _joined(sa.select(*_columns(), best.c.rank).select_from(best)
                     .join(Post, Post.id == best.c.id)).where(*_visible(user))
    if key is not None:
        at = sa.tuple_(sa.literal(key[0], sa.Float(53)), sa.literal(key[1], sa.Integer))
        ranked = ranked.where(row > at if newer else row < at)
    ranked = ranked.order_by(*order).limit(per_page + 1).subquery("ranked")
    outer = [ranked.c.rank.asc(), ranked.c.id.asc()] if newer else \
        [ranked.c.rank.desc(), ranked.c.id.desc()]
    columns = [ranked.c.id, ranked.c.thread_id, ranked.c.number, ranked.c.created_at,
               ranked.c.title, ranked.c.category_name, ranked.c.username, ranked.c.rank]
    if postgres:
        # Headlines are costly: make them for this page's rows only.
        options = f"StartSel={START},StopSel={STOP},MaxWords=35,MinWords=15,MaxFragments=1"
        text = sa.select(Post.search_title + " " + Post.body_text) \
            .where(Post.id == ranked.c.id).scalar_subquery()
        snippet = sa.func.ts_headline(
            "english", text, sa.func.websearch_to_tsquery("english", query), options)
        stmt = sa.select(*columns, snippet.label("snippet")).order_by(*outer)
    else:
        # Snippets are costly: make them for this page's rows only, not for every match.
        fts, rowid = sa.literal_column("posts_fts"), sa.literal_column("posts_fts.rowid")
        snippet = sa.func.snippet(fts, -1, START, STOP, "…", 24)
        stmt = sa.select(*columns, snippet.label("snippet")) \
            .select_from(sa.table("posts_fts")).join(ranked, ranked.c.id == rowid) \
            .where(fts.op("MATCH")(query)).order_by(*outer)
    return list(db.session.execute(stmt))


@dataclass(frozen=True)
class ResourceHit:
    resource_id: int
    title: str
    kind: str
    snippet: Markup


def search_resources(user: User, text: str, limit: int = 5) -> list[ResourceHit]:
    """Library resources this person may see, best matches first (a short list: the
    library is small, and the full list is one click away in the library)."""
    from sharon.library.services import plain_excerpt, visible_resources
    from sharon.models import Resource

    text = clean_text(text).strip()[:200]
    postgres = db.engine.dialect.name == "postgresql"
    query = text if postgres else fts5_query(text)
    if not query:
        return []
    visible = visible_resources(user).with_only_columns(Resource.id).subquery()
    if postgres:
        tsquery = sa.func.websearch_to_tsquery("english", text)
        vector = sa.literal_column("resources.search_vector")
        options = f"StartSel={START},StopSel={STOP},MaxWords=30,MinWords=10,MaxFragments=1"
        stmt = sa.select(Resource.id, Resource.title, Resource.kind, sa.func.ts_headline(
            # One field per line, so each keeps its line starts (a "# heading" at the top
            # of the body is then a heading, whose mark plain_excerpt takes away).
            "english", Resource.summary + "\n" + Resource.body_source + "\n"
            + Resource.transcript,
            tsquery, options).label("snippet")) \
            .where(vector.op("@@")(tsquery), Resource.id.in_(sa.select(visible.c.id))) \
            .order_by(sa.func.ts_rank_cd(vector, tsquery).desc(), Resource.id).limit(limit)
    else:
        fts = sa.literal_column("resources_fts")
        rowid = sa.literal_column("resources_fts.rowid")
        stmt = sa.select(Resource.id, Resource.title, Resource.kind,
                         sa.func.snippet(fts, -1, START, STOP, "…", 20).label("snippet")) \
            .select_from(sa.table("resources_fts")).join(Resource, Resource.id == rowid) \
            .where(fts.op("MATCH")(query), Resource.id.in_(sa.select(visible.c.id))) \
            .order_by(sa.func.bm25(fts, 5.0, 2.0, 1.0, 1.0), Resource.id).limit(limit)
    # The excerpt comes from the Markdown source: shown as text, without its marks.
    return [ResourceHit(r.id, r.title, r.kind, highlight(plain_excerpt(r.snippet or "")))
            for r in db.session.execute(stmt)]
