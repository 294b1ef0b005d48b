"""Server-side prepared statements on PostgreSQL, for the few statements every page runs.

psycopg2 sends each statement as text, so PostgreSQL parses and plans it every time. On
the 100,000-post benchmark the thread page's two statements took 0.45 and 0.58 ms just
to plan (EXPLAIN ANALYZE), longer than they took to run, and the planner's work shares
the same two cores as the app. SQLAlchemy prepares statements only with asyncpg and
psycopg 3; psycopg2, which the stack keeps because it goes green under eventlet, has no
such switch. So this module does it by hand, in three steps:

- a statement built once (each caller caches its statement) is compiled once into
  `PREPARE sharon_<hash>(types) AS …` and `EXECUTE sharon_<hash>(…)`;
- each database connection prepares it the first time it is asked to run it. What a
  connection has prepared is remembered in the pool's information about that connection,
  which SQLAlchemy clears whenever the connection is replaced. A prepared statement
  outlives a rolled-back transaction, and ends with its connection;
- it is then run with EXECUTE, its columns typed as the statement's own, so rows come
  back exactly as `conn.execute(stmt)` would give them.

Connections must therefore be one database session each (no transaction-pooling proxy
in between), which is how SHaRON's pool works. SQLite keeps its own plans and is
given the statement as it is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import NullType

# psycopg2's placeholders, and its escaped literal "%", read in one pass.
_PLACEHOLDER = re.compile(r"%%|%\((\w+)\)s")
# "prepared statement does not exist" and "already exists": this connection's record of
# what it prepared is wrong (something ran DEALLOCATE or DISCARD ALL on it).
_LOST = {"26000", "42P05"}
_KEY = "sharon.prepared"


@dataclass(frozen=True)
class _Prepared:
    name: str
    prepare: str
    execute: sa.TextClause
    defaults: dict[str, Any]  # the values of the statement's own constants


_STATEMENTS: dict[tuple[sa.Executable, str], _Prepared] = {}


def _compile(stmt: sa.Select, dialect: Dialect) -> _Prepared:
    compiled = stmt.compile(dialect=dialect)
    if compiled.positional or "__[POSTCOMPILE" in compiled.string:
        raise ValueError("only pyformat statements without expanding IN lists are prepared")
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "%"
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    body = _PLACEHOLDER.sub(number, compiled.string)
    binds = [compiled.binds[name] for name in order]
    # A parameter's type is written out where SQLAlchemy knows it: PostgreSQL cannot
    # infer one from `SELECT $1` alone. Untyped ones ("unknown") it infers from use.
    types = ["unknown" if isinstance(bind.type, NullType)
             else dialect.type_compiler_instance.process(bind.type) for bind in binds]
    signature = f"({', '.join(types)}) AS {body}"
    name = "sharon_" + hashlib.blake2b(signature.encode(), digest_size=8).hexdigest()
    arguments = ", ".join(f":{bind_name}" for bind_name in order)
    execute = (sa.text(f"EXECUTE {name}({arguments})")
               .bindparams(*[sa.bindparam(bind_name, type_=bind.type)
                             for bind_name, bind in zip(order, binds, strict=True)])
               .columns(*[sa.column(key, column.type)
                          for key, column in stmt.selected_columns.items()]))
    return _Prepared(name, f"PREPARE {name}{signature}", execute,
                     {bind_name: compiled.params[bind_name]
                      for bind_name, bind in zip(order, binds, strict=True)
                      if not bind.required})


def execute(conn: sa.Connection, stmt: sa.Select, params: dict[str, Any]) -> sa.CursorResult:
    """`conn.execute(stmt, params)`, from a plan PostgreSQL made once per connection."""
    if conn.dialect.name != "postgresql":
        return conn.execute(stmt, params)
    key = (stmt, conn.dialect.name)
    prepared = _STATEMENTS.get(key)
    if prepared is None:
        prepared = _STATEMENTS[key] = _compile(stmt, conn.dialect)
    done = conn.connection.info.setdefault(_KEY, set())
    try:
        if prepared.name not in done:
            # No parameters: the text is sent as it is, its "%" signs included.
            conn.exec_driver_sql(prepared.prepare,
                                 execution_options={"no_parameters": True})
            done.add(prepared.name)
        return conn.execute(prepared.execute, {**prepared.defaults, **params})
    except sa.exc.DBAPIError as error:
        if getattr(error.orig, "pgcode", None) in _LOST:
            # This request fails (its transaction is aborted); the pool replaces the
            # connection, and the next one prepares afresh.
            conn.invalidate()
        raise
