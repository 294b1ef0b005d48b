"""Numbers in addresses and query strings: past anything stored is a page or a 404, never
a 500 (SQLite overflows past 2**63; PostgreSQL's INTEGER ends at 2**31 - 1)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from sharon.extensions import db
from sharon.infra.bounds import MAX_ID, MAX_PAGE, int_arg
from sharon.models import WallMessage
from tests.factories import default_network
from tests.forums.conftest import make_category, start_thread
from tests.helpers import csrf_token, sign_in, submit, text

HUGE = "100000000000000000000"
CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _url(rule: str, number: str) -> str:
    """The rule with every <int:…> as `number` and every other part as a plain word."""
    def fill(match: re.Match[str]) -> str:
        converter, name = match.groups()
        if converter == "int":
            return number
        return {"slot": "video", "kind": "session" if "any" in match.group(0) else "blog",
                "filename": "css/sharon.css"}.get(name, "x")
    return CONVERTER.sub(fill, rule)


def _int_rules(app: Flask) -> list[tuple[str, set[str]]]:
    return [(rule.rule, set(rule.methods or ())) for rule in app.url_map.iter_rules()
            if "<int:" in rule.rule]


@pytest.fixture
def admin(client, make_user):  # type: ignore[no-untyped-def]
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    return client


@pytest.mark.parametrize("number", [HUGE, str(MAX_ID + 1), "9" * 5000])
def test_an_id_past_what_the_database_holds_is_not_found(app, admin, number):
    rules = _int_rules(app)
    assert len(rules) > 25  # every <int:…> in the app, whatever its area
    token = csrf_token(admin.get("/account/").get_data(as_text=True))
    for rule, methods in rules:
        url = _url(rule, number)
        if "GET" in methods:
            assert admin.get(url).status_code == 404, url
        if "POST" in methods:
            assert admin.post(url, data={"csrf_token": token}).status_code == 404, url


@pytest.mark.parametrize("page", [HUGE, "-1", "0", "²", "1" * 5000, "1e9", " 7 "])
def test_any_page_number_gives_a_page_or_a_404(client, make_user, page):
    river = make_user(username="river")
    category = make_category(default_network(), "Staying well")
    thread = start_thread(river, category)
    sign_in(client, "river")
    for url in (f"/forums/c/{category.id}", f"/forums/t/{thread.id}", "/forums/search?q=hello",
                "/library/", "/wall/history", "/forums/notifications"):
        joiner = "&" if "?" in url else "?"
        response = client.get(f"{url}{joiner}page={page}")
        if response.status_code == 302:  # listings paged by keyset: to their first page
            assert "page=" not in response.headers["Location"], url
            response = client.get(response.headers["Location"])
        assert response.status_code in (200, 404), url
        if response.status_code == 200:
            assert "Sorry, something went wrong" not in text(response)


@pytest.mark.parametrize("quote", [HUGE, "-3", "²", "abc", "1" * 5000])
def test_a_quote_of_no_post_is_not_found(client, make_user, quote):
    river = make_user(username="river")
    thread = start_thread(river, make_category(default_network(), "Staying well"))
    sign_in(client, "river")
    assert client.get(f"/forums/t/{thread.id}?quote={quote}").status_code == 404


def test_wall_history_old_page_links_and_junk_tokens(client, make_user):
    make_user(username="river")
    sign_in(client, "river")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage))
    far = client.get(f"/wall/history?page={HUGE}")  # an old numbered link: to page 1
    assert far.status_code == 302 and far.headers["Location"].endswith("/wall/history")
    assert client.get("/wall/history?page=²").status_code == 200  # not a number: page 1
    for arg in ("after", "before"):
        junk = client.get("/wall/history", query_string={arg: "1" * 5000})
        assert junk.status_code == 400 and "That page link was not valid" in text(junk)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == before


def test_numbers_are_read_without_converting_thousands_of_digits(app):
    with app.test_request_context(f"/?a={'9' * 100_000}&b=-{'9' * 50}&c=12&d=x&e=+3"):
        assert int_arg("a", 1, 1, MAX_PAGE) == MAX_PAGE
        assert int_arg("b", 1, -5, 5) == -5
        assert int_arg("c", 1, 1, 10) == 10
        assert int_arg("d", 4, 1, 10) == 4
        assert int_arg("e", 1, 1, 10) == 3


def test_moving_a_thread_to_a_category_past_any_id_is_refused(client, make_user):
    make_user(username="sam_peer", role="peer_supporter")
    thread = start_thread(make_user(username="river"),
                          make_category(default_network(), "Staying well"))
    sign_in(client, "sam_peer")
    for number in (HUGE, str(MAX_ID + 1), "-1"):
        response = submit(client, f"/forums/t/{thread.id}/moderate",
                          {"action": "move", "category_id": number},
                          page=f"/forums/t/{thread.id}")
        assert response.status_code == 400, number
