"""Every URL that takes a POST, sent hostile values with a valid CSRF token, by each kind
of visitor: never a 500, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from sharon.extensions import db
from sharon.forums import moderation as forum_moderation
from sharon.forums import services as forums
from sharon.invitations import services as invitations
from sharon.library import services as library
from sharon.models import Category, ModerationItem, ResourceKind, Role, User, WallClosure
from sharon.wall import hours
from tests.factories import default_network
from tests.helpers import csrf_token, sign_in

CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
NAME = re.compile(r'name="([^"]+)"')
# Sent back as drawn (a browser always does), so that hostile values reach the checks
# behind them; the "missing" case leaves them out too.
STATE = {"csrf_token", "submission", "session-submission", "closure-submission", "version"}
# Read straight from request.form by some views, beside their forms.
LOOSE = {"kind", "action", "back", "term", "outcome", "follow", "helped", "next", "reason",
         "category_id", "status", "role", "networks"}
LONG = "x" * 100_000
HOSTILE = {
    "nul": "a\x00b",
    "huge": "9" * 30,
    "enormous": "9" * 5000,
    "negative": "-1",
    "superscript": "²",
    "spaces": "   ",
    "markup": "<script>alert(1)</script>{{7*7}}",
}
# Last, as they end what the others need: the person's session, the post, the resource.
LAST = ("delete", "remove", "revoke", "signout", "unpublish")


@pytest.fixture
def world(app: Flask, make_user) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """One of everything the URLs name, made by the admin where an author is needed."""
    boss = make_user(username="boss", role="admin")
    robin = make_user(username="robin")
    category = Category(network=default_network(), name="Staying well")
    db.session.add(category)
    db.session.flush()
    thread = forums.create_thread(boss, category, "A kind first thread", "chat",
                                  "Hello").post.thread
    reply = forums.reply(robin, thread, "Thank you").post
    forum_moderation.report(boss, reply, "unkind", "")
    resource = library.create(boss, ResourceKind.VIDEO, library.ResourceInput(
        title="Breathing", summary="Slow breaths", network_ids=[default_network().id]))
    invitation, _ = invitations.issue(boss, invitations.NewInvitation(
        role=Role.MEMBER, network_ids=[default_network().id], days=14))
    session = hours.do_add_session(boss, hours.london_to_utc(
        *_day_and_time()), hours.london_to_utc(*_day_and_time(hour=11)))
    db.session.commit()
    return {"category_id": category.id, "thread_id": thread.id, "post_id": reply.id,
            "resource_id": resource.id, "invitation_id": invitation.id, "user_id": robin.id,
            "notification_id": 1, "word_id": 1, "message_id": 1,
            "item_id": db.session.scalar(sa.select(sa.func.min(ModerationItem.id))) or 1,
            "session_id": session.id,
            "closure_id": db.session.scalar(sa.select(sa.func.min(WallClosure.id))) or 1}


def _day_and_time(hour: int = 10):  # type: ignore[no-untyped-def]
    from datetime import date, time

    return date(2030, 1, 7), time(hour, 0)


def _url(rule: str, ids: dict[str, int]) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.groups()
        if converter == "int":
            return str(ids.get(name, 1))
        return {"slot": "captions", "kind": "session" if "any" in match.group(0) else "blog"
                }.get(name, "x")
    return CONVERTER.sub(fill, rule)


def _post_urls(app: Flask, ids: dict[str, int]) -> list[str]:
    urls = sorted(_url(rule.rule, ids) for rule in app.url_map.iter_rules()
                  if "POST" in (rule.methods or ()))
    return sorted(urls, key=lambda u: any(word in u.replace("-", "") for word in LAST)
                  or u == "/sign-out")


def _names(client: FlaskClient, url: str) -> tuple[set[str], dict[str, str]]:
    """The fields on the URL's own page (or the loose ones), and its hidden state."""
    page = client.get(url)
    html = page.get_data(as_text=True) if page.status_code == 200 else ""
    names = set(NAME.findall(html)) | LOOSE
    state = {k: v for k, v in re.findall(r'name="([\w-]+)"[^>]*value="([^"]*)"', html)
             if k in STATE}
    if "csrf_token" not in state:
        signed_in = client.get("/account/").status_code == 200
        state["csrf_token"] = csrf_token(client.get(
            "/account/" if signed_in else "/sign-in").get_data(as_text=True))
    return names - STATE, state


def _sendings(names: set[str], state: dict[str, str]) -> Iterator[tuple[str, object]]:
    """(label, body) pairs: each hostile value in every field, and the odd shapes."""
    for label, value in HOSTILE.items():
        yield label, {**state, **dict.fromkeys(names, value)}
    # A half emoji as a browser never sends it: the surrogate's bytes, percent-encoded.
    yield "half emoji", "&".join([f"{quote(k)}={quote(v)}" for k, v in state.items()]
                                 + [f"{quote(name)}=%ED%A0%80" for name in names])
    yield "lists", {**state, **{name: ["1", "a\x00b", "2"] for name in names}}
    yield "missing", {}
    ordered = sorted(names)
    for start in range(0, len(ordered), 8):  # 100 KB each, under the 1 MB form limit
        yield "long", {**state, **dict.fromkeys(ordered[start:start + 8], LONG)}


def _check(response, url: str, label: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code != 500, (url, label)
    body = response.get_data(as_text=True)
    for leak in ("Traceback", "Sorry, something went wrong on our side", 'File "'):
        assert leak not in body, (url, label, leak)


@pytest.mark.parametrize("who", [None, "robin", "dr_lee", "boss"])
def test_every_post_url_survives_hostile_values(app, client, make_user, world, who):
    make_user(username="dr_lee", role="clinician")
    if who:
        sign_in(client, who)
    urls = _post_urls(app, world)
    assert len(urls) > 35
    for url in urls:
        if who and db.session.scalar(sa.select(User).where(User.username == who)) and \
                url == "/sign-out":
            continue  # signing out would turn the rest into a visitor's run
        names, state = _names(client, url)
        for label, body in _sendings(names, state):
            content_type = "application/x-www-form-urlencoded" if isinstance(body, str) \
                else None
            response = client.post(url, data=body, content_type=content_type)
            _check(response, url, label)


QUERY = ("page", "q", "tag", "kind", "code", "next", "quote", "sentence", "last_seen_id")


@pytest.mark.parametrize("who", [None, "boss"])
def test_every_page_survives_hostile_query_strings(app, client, world, who):
    if who:
        sign_in(client, who)
    urls = sorted(_url(rule.rule, world) for rule in app.url_map.iter_rules()
                  if "GET" in (rule.methods or ()) and "<path:" not in rule.rule)
    for url in urls:
        for label, value in [*HOSTILE.items(), ("half emoji", None)]:
            encoded = "%ED%A0%80" if value is None else quote(value)
            response = client.get(f"{url}?" + "&".join(f"{k}={encoded}" for k in QUERY))
            _check(response, url, label)
