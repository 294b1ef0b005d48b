"""Search: ranked, highlighted, paginated, never showing what the person may not see."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Post
from tests.forums.conftest import add_reply, start_thread
from tests.helpers import pager_link, sign_in, submit, text


def search(client, q, page=1):
    return client.get("/forums/search", query_string={"q": q, "page": page})


def test_search_finds_titles_and_posts_with_highlights(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general, title="Gardening keeps me calm",
                          body="Potting tomatoes every morning")
    add_reply(river, thread, "I also enjoy gardening with my neighbour")
    start_thread(river, general, title="Sleep routines", body="Nothing about plants here")
    make_user(username="ash")
    sign_in(client, "ash")
    response = search(client, "gardening")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('class="snippet"') == 2
    assert "<mark>" in html
    page = text(response)
    # The title match ranks first.
    assert page.index("Gardening keeps me calm") < page.index("neighbour")
    assert "Sleep routines" not in page
    assert "Nothing found" in text(search(client, "xylophone"))


def test_search_stems_words(client, make_user, general):
    start_thread(make_user(username="river"), general, title="Walking helped",
                 body="I walked to the park")
    make_user(username="ash")
    sign_in(client, "ash")
    assert "Walking helped" in text(search(client, "walks"))


def test_search_excludes_restricted_spaces_and_hidden_content(client, make_user, general,
                                                              carers_space, team_space):
    carer = make_user(username="carer_jo", role="carer")
    peer = make_user(username="sam_peer", role="peer_supporter")
    river = make_user(username="river")
    start_thread(carer, carers_space, title="Respite for carers", body="respite ideas")
    start_thread(peer, team_space, title="Team respite rota", body="respite planning")
    hidden = start_thread(river, general, title="Respite hidden thread", body="respite")
    hidden.hidden = True
    visible = start_thread(river, general, title="Respite for me", body="a respite week")
    hidden_reply = add_reply(river, visible, "respite reply that was hidden")
    hidden_reply.status = "hidden"
    db.session.commit()
    sign_in(client, "river")
    page = text(search(client, "respite"))
    assert "Respite for me" in page
    for absent in ("Respite for carers", "Team respite rota", "Respite hidden thread",
                   "reply that was hidden"):
        assert absent not in page


def test_search_keeps_in_step_with_edits_and_removal(client, make_user, general):
    river = make_user(username="river")
    start_thread(river, general, title="Hello there", body="I love kayaking")
    post = db.session.scalar(sa.select(Post))
    sign_in(client, "river")
    assert "Hello there" in text(search(client, "kayaking"))
    submit(client, f"/forums/p/{post.id}/edit", {"body": "I love canoeing"})
    assert "Nothing found" in text(search(client, "kayaking"))
    assert "Hello there" in text(search(client, "canoeing"))
    submit(client, f"/forums/p/{post.id}/delete", {})
    assert "Nothing found" in text(search(client, "canoeing"))


@pytest.mark.parametrize("q", [
    'anxiety AND', 'OR', 'NOT anxiety', '"unbalanced quote', '(anxiety', 'anxiety)', '*',
    'NEAR(anxiety walk)', 'anxiety:', '-anxiety', '"', "'; DROP TABLE posts; --", "a" * 500,
    "anx*", "^anxiety", "{anxiety}", "anxiety \x00",
])
def test_search_survives_operators_quotes_and_brackets(client, make_user, general, q):
    start_thread(make_user(username="river"), general, title="Anxiety at work",
                 body="Walking helps my anxiety")
    make_user(username="ash")
    sign_in(client, "ash")
    response = search(client, q)
    assert response.status_code == 200
    assert "There is a problem" not in text(response)


def test_quoted_phrases_and_sensible_results_for_operator_words(client, make_user, general):
    river = make_user(username="river")
    start_thread(river, general, title="Anxiety at work", body="walking helps my anxiety")
    start_thread(river, general, title="Another thread", body="anxiety walking together")
    make_user(username="ash")
    sign_in(client, "ash")
    assert text(search(client, '"helps my anxiety"')).count("Anxiety at work") >= 1
    assert "Another thread" not in text(search(client, '"helps my anxiety"'))
    assert "Anxiety at work" in text(search(client, "(anxiety"))


def test_search_is_paginated(client, make_user, general):
    river = make_user(username="river")
    thread = start_thread(river, general, title="Journaling thread", body="journaling")
    for i in range(24):
        add_reply(river, thread, f"journaling note {i}")
    make_user(username="ash")
    sign_in(client, "ash")
    first = search(client, "journaling")
    assert first.get_data(as_text=True).count('class="snippet"') == 20
    assert "More results" in text(first)
    second = client.get(pager_link(first, "next"))
    assert second.get_data(as_text=True).count('class="snippet"') == 5
    assert "More results" not in text(second) and "Previous results" in text(second)
    back = client.get(pager_link(second, "prev"))
    assert back.get_data(as_text=True).count('class="snippet"') == 20
    # An old numbered link still leads somewhere: the first page of the same search.
    old = search(client, "journaling", page=2)
    assert old.status_code == 302 and old.headers["Location"] == "/forums/search?q=journaling"


def test_matches_out_of_sight_do_not_crowd_out_the_ones_in_sight(client, make_user, general,
                                                                  carers_space, monkeypatch):
    from sharon import search as search_module

    monkeypatch.setattr(search_module, "CANDIDATE_CAP", 2)
    carer = make_user(username="carer_jo", role="carer")
    for i in range(6):  # strong matches the member may not see
        start_thread(carer, carers_space, title=f"Tidal tidal tidal {i}", body="tidal tidal")
    start_thread(make_user(username="river"), general, title="A walk", body="the tidal river")
    make_user(username="ash")
    sign_in(client, "ash")
    page = text(search(client, "tidal"))
    assert "A walk" in page and "Tidal tidal" not in page
