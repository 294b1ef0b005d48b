"""Remembered pieces: parts of the busiest pages, rendered once and remembered.

A remembered piece is a Jinja macro, declared here with `declare`, whose first argument
is one NamedTuple holding every value it shows. That tuple is the cache key: any change
makes a new key, and nothing is ever invalidated or served stale. The declaration is
also the list of all the macro may read: the fields of its key, the named attributes of
any further arguments (its context: what never changes its output for the same key,
such as a blank form), and the helpers that answer every reader alike (`url_for`, a
table of labels, a filter). tests/forums/test_remembered_piece_reads.py reads each
declared macro's source and fails if it reads anything else: never `csrf_token()`,
`current_user` or `request`.

So no remembered piece holds anything of one reader's. Their CSRF token and one-time
form tokens are rendered with the page, outside the pieces: around them, or in a form
elsewhere on the page that a piece's buttons submit through the HTML `form` and
`formaction` attributes, which need no JavaScript.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from flask import Flask, current_app, get_template_attribute
from markupsafe import Markup

# What a worker may keep: at most this many pieces a macro, each at most this long (a
# longer one, such as a post of 10,000 characters full of links, is rendered every time),
# so a macro's pieces and their keys stay under about 2048 × 2 × 8 k characters.
PIECES_PER_MACRO = 2048
LONGEST_PIECE = 8192


class Piece(NamedTuple):
    """A declared remembered piece: where its macro is, and all it may read."""

    template: str
    macro: str
    key: type  # a NamedTuple class: the macro's first argument, and the cache key
    helpers: frozenset[str]  # globals and filters that answer every reader alike
    context: tuple[tuple[str, frozenset[str]], ...]  # later arguments, attributes read


#: Every declared piece, for the test that checks what their macros read.
DECLARED: list[Piece] = []


def declare(template: str, macro: str, key: type, helpers: Iterable[str] = ("url_for",),
            **context: Iterable[str]) -> Piece:
    """Declare `macro(key, *context)` in `template` as a remembered piece.

    `context` names the macro's later arguments, in order, each with the attributes the
    macro may read of it; they are not part of the key, so they must render alike for
    the same key.
    """
    piece = Piece(template, macro, key, frozenset(helpers),
                  tuple((name, frozenset(attrs)) for name, attrs in context.items()))
    DECLARED.append(piece)
    return piece


class _Remembered:
    """One macro's remembered renderings, the least recently used dropped first."""

    def __init__(self, render: Callable[..., Any]) -> None:
        self.render = render
        self.items: OrderedDict[tuple[Any, ...], str] = OrderedDict()

    def get(self, values: tuple[Any, ...], context: tuple[Any, ...]) -> str:
        html = self.items.get(values)
        if html is None:
            html = str(self.render(values, *context))
            if len(html) <= LONGEST_PIECE:
                self.items[values] = html
                while len(self.items) > PIECES_PER_MACRO:
                    self.items.popitem(last=False)
        else:
            try:
                self.items.move_to_end(values)
            except KeyError:  # dropped by another request meanwhile: no matter
                pass
        return html


def init_app(app: Flask) -> None:
    """Give this app its own empty store of remembered pieces."""
    app.extensions["sharon.remembered"] = {}


def html(piece: Piece, values: tuple[Any, ...], *context: Any) -> str:
    """`macro(values, *context)`, rendered once per distinct values: as a str, to join."""
    if type(values) is not piece.key:
        raise TypeError(f"{piece.macro} is remembered by {piece.key.__name__}")
    remembered: dict[tuple[str, str], _Remembered] = current_app.extensions["sharon.remembered"]
    cached = remembered.get((piece.template, piece.macro))
    if cached is None:
        cached = remembered[(piece.template, piece.macro)] = _Remembered(
            get_template_attribute(piece.template, piece.macro))
    return cached.get(values, context)


def render(piece: Piece, values: tuple[Any, ...], *context: Any) -> Markup:
    """`macro(values, *context)`, rendered once per distinct values."""
    return Markup(html(piece, values, *context))
