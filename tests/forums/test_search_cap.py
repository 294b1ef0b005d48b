"""Search that stays fast when a word is everywhere (issue 17): only the newest matches,
up to a cap, are ranked, the most relevant of them first; the page says when results
were limited; pages follow by keyset, and a changed page link is refused."""

from __future__ import annotations

import re

import pytest

from sharon import search as search_module
from tests.forums.conftest import add_reply, start_thread
from tests.helpers import pager_link, sign_in, text

LIMITED = "these are the most relevant of the newest"


def _found(response) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r"post (\w+) here", text(response))


@pytest.fixture
def lanterns(make_user, general, frozen_clock):  # type: ignore[no-untyped-def]
    """An old thread that matches "lantern" strongly (title and body), then five newer
    replies that each match it once; the newest but one matches it most of those."""
    river = make_user(username="river")
    thread = start_thread(river, general, title="Lantern lantern evenings",
                          body="post oldest here: lantern lantern lantern festival")
    for name in ("alpha", "bravo", "charlie", "delta", "echo"):
        frozen_clock.advance(minutes=1)
        extra = " lantern lantern" if name == "delta" else ""
        add_reply(river, thread, f"post {name} here: a quiet walk with a lantern{extra}")
    make_user(username="ash")
    return thread


def test_only_the_newest_matches_are_ranked_and_the_page_says_so(client, lanterns,
                                                                  monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATE_CAP", 3)
    sign_in(client, "ash")
    response = client.get("/forums/search", query_string={"q": "lantern"})
    assert response.status_code == 200
    # The newest three matches only, the strongest of them first; the older, stronger
    # matches are left out, and the page says why.
    assert _found(response) == ["delta", "echo", "charlie"] or \
        _found(response) == ["delta", "charlie", "echo"]
    assert LIMITED in text(response) and "newest 3 matches" in text(response)
    assert "Add words to narrow your search" in text(response)
    # Fewer matches than the cap: every one ranked, nothing said.
    narrow = client.get("/forums/search", query_string={"q": "lantern festival"})
    assert _found(narrow) == ["oldest"] and LIMITED not in text(narrow)


def test_without_the_cap_the_strongest_match_comes_first(client, lanterns):
    sign_in(client, "ash")
    response = client.get("/forums/search", query_string={"q": "lantern"})
    found = _found(response)
    assert found[0] == "oldest" and found[1] == "delta" and len(found) == 6
    assert LIMITED not in text(response)


def test_results_page_by_keyset_and_say_limited_on_every_page(client, lanterns, monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATE_CAP", 5)
    monkeypatch.setattr(search_module, "PER_PAGE", 2)
    sign_in(client, "ash")
    first = client.get("/forums/search", query_string={"q": "lantern"})
    pages = [first]
    while (older := pager_link(pages[-1], "next")) is not None:
        assert len(pages) < 5
        pages.append(client.get(older))
    found = [name for page in pages for name in _found(page)]
    assert len(found) == 5 and set(found) == {"alpha", "bravo", "charlie", "delta", "echo"}
    assert found[0] == "delta"
    assert all(LIMITED in text(page) for page in pages)
    back = client.get(pager_link(pages[-1], "prev"))
    assert _found(back) == _found(pages[-2])
    assert "Previous results" in text(pages[1]) and pager_link(first, "prev") is None


@pytest.mark.parametrize("arg", ["after", "before"])
def test_a_changed_results_link_shows_the_first_page_with_a_400(client, lanterns, monkeypatch,
                                                                arg):
    monkeypatch.setattr(search_module, "PER_PAGE", 2)
    sign_in(client, "ash")
    first = client.get("/forums/search", query_string={"q": "lantern"})
    token = pager_link(first, "next").split("after=")[1]
    for bad in (token[:-2], token + "x", "W10", "x" * 401):
        response = client.get("/forums/search", query_string={"q": "lantern", arg: bad})
        assert response.status_code == 400
        assert "That page link was not valid" in text(response)
        assert _found(response) == _found(first)


def test_old_numbered_results_links_go_to_the_first_page(client, lanterns):
    sign_in(client, "ash")
    response = client.get("/forums/search", query_string={"q": "lantern", "page": "4"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/forums/search?q=lantern"
    assert client.get("/forums/search", query_string={"q": "lantern", "page": "x"}) \
        .status_code == 200
