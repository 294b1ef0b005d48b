"""Pieces of the busiest pages, rendered once and remembered.

A piece is a Jinja macro called with one NamedTuple holding every value it shows, so
that tuple is the cache key: any change makes a new key, and nothing is ever
invalidated or served stale. The reader's CSRF token goes in after the lookup, so no
remembered piece holds anyone's token.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from flask import Flask, current_app, get_template_attribute
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

# Stands in for the reader's token. No value can smuggle it in: bleach escapes "<!--"
# in post bodies and Jinja escapes "<" in everything else.
TOKEN = "<!--csrf-->"
# What a worker may keep: at most this many pieces a macro, each at most this long (a
# longer one, such as a post of 10,000 characters full of links, is rendered every time),
# so a macro's pieces and their keys stay under about 2048 × 2 × 8 k characters.
PIECES_PER_MACRO = 2048
LONGEST_PIECE = 8192


class _Pieces:
    """One macro's remembered renderings, the least recently used dropped first."""

    def __init__(self, render: Callable[..., Any]) -> None:
        self.render = render
        self.items: OrderedDict[NamedTuple, str] = OrderedDict()

    def get(self, values: NamedTuple, context: tuple[Any, ...]) -> str:
        html = self.items.get(values)
        if html is None:
            html = str(self.render(values, TOKEN, *context))
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
    app.extensions["sharon.rendered"] = {}


def piece(template: str, macro: str, values: NamedTuple, *context: Any) -> str:
    """`macro(values, TOKEN, *context)` from `template`, rendered once per distinct values.

    `context` is for what the macro needs but that never changes its output for the
    same values, such as a blank form; it is not part of the key.
    """
    pieces: dict[tuple[str, str], _Pieces] = current_app.extensions["sharon.rendered"]
    cached = pieces.get((template, macro))
    if cached is None:
        cached = pieces[(template, macro)] = _Pieces(get_template_attribute(template, macro))
    return cached.get(values, context)


def with_token(html: str) -> Markup:
    """Remembered HTML with this reader's CSRF token put in."""
    return Markup(html.replace(TOKEN, generate_csrf()) if TOKEN in html else html)
