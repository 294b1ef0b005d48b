"""A remembered piece reads only what its declaration lists (sharon/infra/remembered.py): its
key's fields, the named attributes of its declared context, and its declared helpers.
So no template edit can put one reader's token, name or rights into a piece that
another reader is given: the edit makes this test fail instead."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator

import pytest
from jinja2 import DictLoader, Environment, TemplateAssertionError, meta, nodes
from jinja2.defaults import DEFAULT_NAMESPACE
from jinja2.filters import FILTERS
from jinja2.tests import TESTS

import sharon.forums.views  # noqa: F401  (declares the reply form)
from sharon.forums import fragments
from sharon.infra import remembered, templating

# What url_for may not be asked: these read the request (the host the reader sent).
URL_FOR_FROM_REQUEST = {"_external", "_scheme"}


def _walk(node: nodes.Node) -> Iterator[tuple[nodes.Node, nodes.Node]]:
    for child in node.iter_child_nodes():
        yield child, node
        yield from _walk(child)


def reads_beyond_declaration(env: Environment, piece: remembered.Piece) -> list[str]:
    """What the piece's macro reads that its declaration does not list."""
    tree = env.parse(env.loader.get_source(env, piece.template)[0])
    found = [n for n in tree.body if isinstance(n, nodes.Macro) and n.name == piece.macro]
    if len(found) != 1:
        return [f"{piece.template} has no single macro {piece.macro}"]
    macro = found[0]
    problems = []
    params = [arg.name for arg in macro.args]
    declared = [name for name, _ in piece.context]
    if len(params) != 1 + len(declared) or params[1:] != declared:
        problems.append(f"takes {params}: declared a key, then {declared}")
    allowed = {name: attrs for name, attrs in piece.context}
    if params:
        allowed[params[0]] = frozenset(piece.key._fields)
    # Names from outside the macro: only declared helpers (and the template's imports).
    imports = [n for n in tree.body if isinstance(n, nodes.Import | nodes.FromImport)]
    # Jinja does not count the environment's globals as read from outside, and Flask's
    # include csrf_token, request and session: so look with Jinja's own globals only.
    bare = env.overlay()
    bare.globals = dict(DEFAULT_NAMESPACE)
    try:
        outside = meta.find_undeclared_variables(
            nodes.Template([*imports, macro]).set_environment(bare))
    except TemplateAssertionError as error:  # such as a filter the site does not have
        problems.append(str(error))
    else:
        problems += [f"reads {name}" for name in sorted(outside - piece.helpers)]
    for node, parent in _walk(macro):
        if isinstance(node, nodes.Name) and node.name in allowed and node.ctx != "param":
            if node.ctx != "load":
                problems.append(f"sets {node.name}")
            elif not (isinstance(parent, nodes.Getattr) and parent.node is node):
                problems.append(f"reads all of {node.name}, not one of its attributes")
            elif parent.attr not in allowed[node.name]:
                problems.append(f"reads {node.name}.{parent.attr}")
        elif isinstance(node, nodes.Filter) and node.name not in piece.helpers \
                and node.name not in FILTERS:
            problems.append(f"uses the filter {node.name}")
        elif isinstance(node, nodes.Test) and node.name not in TESTS:
            problems.append(f"uses the test {node.name}")
        elif isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) \
                and node.node.name == "url_for":
            if node.dyn_kwargs is not None or node.dyn_args is not None:
                problems.append("calls url_for with arguments it cannot see")
            problems += [f"calls url_for with {kw.key}" for kw in node.kwargs
                         if kw.key in URL_FOR_FROM_REQUEST]
    return problems


def test_every_remembered_piece_reads_only_what_it_declares(app):
    pieces = {(p.template, p.macro): p for p in remembered.DECLARED}
    assert set(pieces) >= {("forums/_post.html", "post_item"), ("_header.html", "site_header"),
                           ("forums/_reply.html", "reply_fields")}
    assert len(pieces) == len(remembered.DECLARED), "a piece is declared twice"
    for piece in pieces.values():
        assert hasattr(piece.key, "_fields"), f"{piece.macro}'s key is not a NamedTuple"
        assert reads_beyond_declaration(app.jinja_env, piece) == [], piece.template


def test_the_keys_are_the_declared_ones():
    assert fragments.POST.key is fragments.PostPiece
    assert templating.HEADER.key is templating.Header
    assert sharon.forums.views.REPLY.key is sharon.forums.views.ReplyPiece


Key = namedtuple("Key", ["id", "name"])
FAKE = remembered.Piece("piece.html", "m", Key, frozenset({"url_for", "london"}),
                      (("form", frozenset({"body"})),))


def _env(source: str) -> Environment:
    """An environment with globals like the site's, which a macro must still not read."""
    env = Environment(loader=DictLoader({"piece.html": source}))
    env.globals.update(csrf_token=lambda: "token", request=object(), session={}, config={},
                       current_user=object(), url_for=lambda *a, **k: "/")
    return env


@pytest.mark.parametrize("body, problem", [
    ("{{ csrf_token() }}", "reads csrf_token"),
    ("{{ current_user.username }}", "reads current_user"),
    ("{{ request.path }}", "reads request"),
    ("{% if session %}x{% endif %}", "reads session"),
    ("{{ config.SECRET_KEY }}", "reads config"),
    ("{{ k.secret }}", "reads k.secret"),
    ("{{ k }}", "reads all of k, not one of its attributes"),
    ("{{ k[0] }}", "reads all of k, not one of its attributes"),
    ("{{ k._replace(id=1) }}", "reads k._replace"),
    ("{{ form.csrf_token }}", "reads form.csrf_token"),
    ("{{ form.hidden_tag() }}", "reads form.hidden_tag"),
    ("{{ shown(form) }}", "reads all of form, not one of its attributes"),
    ("{{ url_for('x', id=k.id, _external=True) }}", "calls url_for with _external"),
    ("{{ url_for('x', **k._asdict()) }}", "calls url_for with arguments it cannot see"),
    ("{{ k.name|whoami }}", "uses the filter whoami"),
    ("{% set k = 1 %}", "sets k"),
])
def test_a_piece_that_reads_more_is_caught(body, problem):
    source = ('{% from "forms.html" import shown %}'
              "{% macro m(k, form) %}" + body + "{% endmacro %}")
    assert problem in reads_beyond_declaration(_env(source), FAKE)


def test_a_piece_that_reads_what_it_declares_passes():
    body = ("{% set link = url_for('x', id=k.id) %}{{ link }}{{ k.name|upper }}"
            "{{ form.body }}{% for n in range(3) %}{{ loop.index }}{{ n }}{% endfor %}"
            "{% if k.name is string %}{{ shown(form.body) }}{% endif %}")
    source = ('{% from "forms.html" import shown %}'
              "{% macro m(k, form) %}" + body + "{% endmacro %}")
    assert reads_beyond_declaration(_env(source), FAKE) == []
    assert reads_beyond_declaration(_env("{% macro m(k) %}{% endmacro %}"), FAKE) == [
        "takes ['k']: declared a key, then ['form']"]
