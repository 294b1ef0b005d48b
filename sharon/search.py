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
    if type_ == "table" and name and name.startswith("posts_fts"):
        return True
    return (type_, name) in {("column", "search_vector"), ("index", "ix_posts_search_vector")}


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
    text = clean_text(text).strip()[:200]
    page = max(1, min(page, 50))
    if not text:
        return Results([], page, False)
    if db.engine.dialect.name == "postgresql":
        rows = _postgres(user, text, page, per_page)
    else:
        query = fts5_query(text)
        rows = _sqlite(user, query, page, per_page) if query else []
    hits = [Hit(post_id=r.id, thread_id=r.thread_id, thread_title=r.title, number=r.number,
                category_name=r.category_name, author=r.username, created_at=r.created_at,
                snippet=highlight(r.snippet or "")) for r in rows[:per_page]]
    return Results(hits, page, len(rows) > per_page)


def _columns() -> list[sa.ColumnElement]:  # type: ignore[type-arg]
    return [Post.id, Post.thread_id, Post.number, Post.created_at, Thread.title,
            Category.name.label("category_name"), User.username]


def _joined(select: sa.Select) -> sa.Select:  # type: ignore[type-arg]
    return (select.join(Thread, Thread.id == Post.thread_id)
            .join(Category, Category.id == Thread.category_id)
            .outerjoin(User, User.id == Post.author_id))


def _sqlite(user: User, query: str, page: int, per_page: int) -> list[sa.Row]:  # type: ignore[type-arg]
    fts = sa.literal_column("posts_fts")
    rowid = sa.literal_column("posts_fts.rowid")
    rank = sa.func.bm25(fts, 4.0, 1.0).label("rank")  # a match in the title counts 4 times
    ranked = _joined(
        sa.select(*_columns(), rank).select_from(sa.table("posts_fts"))
        .join(Post, Post.id == rowid)
    ).where(fts.op("MATCH")(query), *_visible(user)) \
        .order_by(sa.text("rank"), Post.id.desc()) \
        .limit(per_page + 1).offset((page - 1) * per_page).subquery()
    # Snippets are costly: make them for this page's rows only, not for every match.
    snippet = sa.func.snippet(fts, -1, START, STOP, "…", 24).label("snippet")
    stmt = sa.select(ranked.c.id, ranked.c.thread_id, ranked.c.number, ranked.c.created_at,
                     ranked.c.title, ranked.c.category_name, ranked.c.username, snippet) \
        .select_from(sa.table("posts_fts")).join(ranked, ranked.c.id == rowid) \
        .where(fts.op("MATCH")(query)).order_by(ranked.c.rank, ranked.c.id.desc())
    return list(db.session.execute(stmt))


def _postgres(user: User, text: str, page: int, per_page: int) -> list[sa.Row]:  # type: ignore[type-arg]
    # websearch_to_tsquery accepts anything a person types (quotes, -, or) without error.
    tsquery = sa.func.websearch_to_tsquery("english", text)
    vector = sa.literal_column("posts.search_vector")
    rank = sa.func.ts_rank_cd(vector, tsquery).label("rank")
    ranked = _joined(sa.select(*_columns(), Post.body_text, Post.search_title, rank)) \
        .where(vector.op("@@")(tsquery), *_visible(user)) \
        .order_by(sa.desc("rank"), Post.id.desc()) \
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
