"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL tsvector.

The index is kept in step by the database (triggers or a generated column, made
in the migrations); visibility is decided at query time, so hiding, deleting or
moving something changes results at once. Results are always paginated.
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


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    page: int
    has_next: bool


def _visible(user: User) -> list[sa.ColumnElement[bool]]:
    # Search never shows hidden or held content, even to the team.
    return [
        Post.status == PostStatus.VISIBLE,
        Thread.hidden.is_(False),
        Thread.held.is_(False),
        visibility.category_clause(user),
    ]


def search_posts(user: User, text: str, page: int = 1, per_page: int = 20) -> Results:
    """Posts this person may read that match the words, most relevant first."""
    text = clean_text(text).strip()[:200]
    page = max(1, min(page, 50))
    if not text:
        return Results([], page, False)
    postgres = db.engine.dialect.name == "postgresql"
    query = text if postgres else fts5_query(text)
    if not query:
        return Results([], page, False)
    wanted = page * per_page + 1
    # Rank the matches on the index alone, then check who may see the best of them. A
    # word found in a third of all posts then costs one pass of the ranking, not a join
    # per match. If too many of the best were out of sight, look further.
    candidates = max(MIN_CANDIDATES, wanted * 3)
    while True:
        rows = (_postgres if postgres else _sqlite)(user, query, candidates, page, per_page)
        if len(rows) > per_page or candidates >= MAX_CANDIDATES or \
                _match_count(query, postgres, candidates) < candidates:
            break
        candidates *= 4
    hits = [Hit(post_id=r.id, thread_id=r.thread_id, thread_title=r.title, number=r.number,
                category_name=r.category_name, author=r.username, created_at=r.created_at,
                snippet=highlight(r.snippet or "")) for r in rows[:per_page]]
    return Results(hits, page, len(rows) > per_page)


MIN_CANDIDATES = 200
MAX_CANDIDATES = 1_000_000


def _match_count(query: str, postgres: bool, at_most: int) -> int:
    """How many posts match, counting no further than `at_most`."""
    if postgres:
        inner = sa.select(Post.id).where(
            sa.literal_column("posts.search_vector").op("@@")(
                sa.func.websearch_to_tsquery("english", query))).limit(at_most)
    else:
        inner = sa.select(sa.literal_column("rowid")).select_from(sa.table("posts_fts")).where(
            sa.literal_column("posts_fts").op("MATCH")(query)).limit(at_most)
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner.subquery()))


def _columns() -> list[sa.ColumnElement]:  # type: ignore[type-arg]
    return [Post.id, Post.thread_id, Post.number, Post.created_at, Thread.title,
            Category.name.label("category_name"), User.username]


def _joined(select: sa.Select) -> sa.Select:  # type: ignore[type-arg]
    return (select.join(Thread, Thread.id == Post.thread_id)
            .join(Category, Category.id == Thread.category_id)
            .outerjoin(User, User.id == Post.author_id))


def _sqlite(user: User, query: str, candidates: int, page: int,
            per_page: int) -> list[sa.Row]:  # type: ignore[type-arg]
    fts = sa.literal_column("posts_fts")
    rowid = sa.literal_column("posts_fts.rowid")
    best = sa.select(rowid.label("id"), sa.func.bm25(fts, 4.0, 1.0).label("rank")) \
        .select_from(sa.table("posts_fts")).where(fts.op("MATCH")(query)) \
        .order_by(sa.text("rank")).limit(candidates).subquery()
    ranked = _joined(sa.select(*_columns(), best.c.rank).select_from(best)
                     .join(Post, Post.id == best.c.id)) \
        .where(*_visible(user)).order_by(best.c.rank, Post.id.desc()) \
        .limit(per_page + 1).offset((page - 1) * per_page).subquery()
    # Snippets are costly: make them for this page's rows only, not for every match.
    snippet = sa.func.snippet(fts, -1, START, STOP, "…", 24).label("snippet")
    stmt = sa.select(ranked.c.id, ranked.c.thread_id, ranked.c.number, ranked.c.created_at,
                     ranked.c.title, ranked.c.category_name, ranked.c.username, snippet) \
        .select_from(sa.table("posts_fts")).join(ranked, ranked.c.id == rowid) \
        .where(fts.op("MATCH")(query)).order_by(ranked.c.rank, ranked.c.id.desc())
    return list(db.session.execute(stmt))


def _postgres(user: User, text: str, candidates: int, page: int,
              per_page: int) -> list[sa.Row]:  # type: ignore[type-arg]
    # websearch_to_tsquery accepts anything a person types (quotes, -, or) without error.
    tsquery = sa.func.websearch_to_tsquery("english", text)
    vector = sa.literal_column("posts.search_vector")
    best = sa.select(Post.id, sa.func.ts_rank_cd(vector, tsquery).label("rank")) \
        .where(vector.op("@@")(tsquery), Post.status == PostStatus.VISIBLE) \
        .order_by(sa.desc("rank")).limit(candidates).subquery()
    ranked = _joined(sa.select(*_columns(), Post.body_text, Post.search_title, best.c.rank)
                     .select_from(best).join(Post, Post.id == best.c.id)) \
        .where(*_visible(user)).order_by(best.c.rank.desc(), Post.id.desc()) \
        .limit(per_page + 1).offset((page - 1) * per_page).subquery()
    # Headlines are costly: make them for this page's rows only.
    options = f"StartSel={START},StopSel={STOP},MaxWords=35,MinWords=15,MaxFragments=1"
    snippet = sa.func.ts_headline(
        "english", ranked.c.search_title + " " + ranked.c.body_text, tsquery, options
    ).label("snippet")
    stmt = sa.select(ranked.c.id, ranked.c.thread_id, ranked.c.number, ranked.c.created_at,
                     ranked.c.title, ranked.c.category_name, ranked.c.username, snippet) \
        .order_by(ranked.c.rank.desc(), ranked.c.id.desc())
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
