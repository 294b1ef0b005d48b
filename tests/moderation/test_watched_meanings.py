"""Watched meanings in the app: a post close in meaning to a family's examples is flagged
for the team with its score and nearest example, never held; off, or without its model,
SHaRON works as before and the words page says so."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon import meanings, safety
from sharon.extensions import db
from sharon.models import ModerationItem, Post
from tests.forums.conftest import make_category, new_thread
from tests.helpers import sign_in, text
from tests.test_meanings import needs_model


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"SHARON_MEANING_CHECK": True, "SHARON_MEANING_THRESHOLD": 0.65}


@needs_model
def test_a_post_close_in_meaning_is_flagged_not_held(client, app, make_user):
    member = make_user(username="river")
    space = make_category(member.networks[0], "Staying well")
    sign_in(client, "river")
    # No watched word in it, but close to the examples of feeling a burden.
    response = new_thread(client, space.id, "Lately",
                          "some days I think the world would be fine without me in it")
    assert response.status_code == 302
    post = db.session.scalar(sa.select(Post))
    assert post.status == "visible"  # a meaning only ever flags
    item = db.session.scalar(sa.select(ModerationItem))
    assert item.kind == "risk" and "close in meaning" in item.reason
    assert "“everyone would be better off without me” (hopeless)" in item.reason
    # Ordinary talk is left alone.
    new_thread(client, space.id, "Walk", "went for a lovely walk by the river today")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationItem)) == 1


@needs_model
def test_the_words_page_says_the_meaning_check_is_on(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    page = text(client.get("/moderation/words"))
    assert "The meaning check is on" in page
    assert "Example sentences for the meaning check" in page


def test_a_model_that_fails_to_load_leaves_the_words_working(client, app, make_user,
                                                             monkeypatch, tmp_path, caplog):
    broken = tmp_path / "model.onnx"
    broken.write_bytes(b"not a model")
    monkeypatch.setattr(meanings, "_DEFAULT", meanings.MeaningModel(broken))
    assert safety.check_all("I want to kill myself").action == "hold"  # words still work
    assert safety.check_all("honestly I would rather not be alive").action in ("allow",
                                                                               "flag")
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    assert "its model did not load" in text(client.get("/moderation/words"))


def test_switched_off_nothing_is_compared(app, monkeypatch):
    app.config["SHARON_MEANING_CHECK"] = False

    def never(*_args, **_kwargs):  # noqa: ANN002
        raise AssertionError("the meaning check ran while switched off")

    monkeypatch.setattr(meanings, "check_async", never)
    assert safety.check_all("honestly I would rather not be alive").meaning is None
    assert "The meaning check is off" in safety.meaning_status()


@needs_model
def test_very_long_text_is_checked_without_failing(app):
    verdict = safety.check_all("I feel fine today. " * 5000)
    assert verdict.allowed
