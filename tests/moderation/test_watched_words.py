"""The watched-words page: families, the term language, a try box, and what members and
moderators who are not clinicians may not do."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import ModerationAction, WatchedWord, WatchFamily
from tests.helpers import sign_in, submit, text


def family(key: str) -> WatchFamily:
    return db.session.scalar(sa.select(WatchFamily).where(WatchFamily.key == key))


def test_the_starter_families_come_with_the_database(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    page = text(client.get("/moderation/words"))
    for title in ("Suicidal thoughts with intent or a plan", "Methods and means",
                  "Self-harm now or planned", "Wishing to be dead",
                  "Goodbyes and putting affairs in order", "Worry about someone else's safety",
                  "Abuse, violence and threats", "Eating-disorder danger signs"):
        assert title in page
    assert "kill+ (myself|my self)" in page
    assert family("intent").action == "hold" and family("intent").level == "high"


def test_a_term_added_to_a_family_takes_its_action(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    means = family("means")
    response = submit(client, "/moderation/words", {
        "term": "(bought|got) ... (charcoal|barbecue) ... (die|end it)", "family": str(means.id),
        "action": "flag"}, follow_redirects=True)
    assert "added to the watched words" in text(response)
    word = db.session.scalar(sa.select(WatchedWord).where(WatchedWord.term.like("%charcoal%")))
    assert word.family_id == means.id and word.action == "hold" and word.is_risk
    audit = db.session.scalars(sa.select(ModerationAction).where(
        ModerationAction.action == "watched_word_add")).all()
    assert audit[-1].detail["family"] == "means"


def test_terms_that_would_match_ordinary_talk_or_cannot_work_are_refused(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(WatchedWord))
    for term, message in [
        ("kill+", "would match ordinary talk"),
        ("die+", "would match ordinary talk"),
        ("(pills|tablets", "A bracket is not closed"),
        ("... die", "goes between two words"),
        ("ab", "three letters"),
    ]:
        response = submit(client, "/moderation/words", {"term": term, "action": "hold"})
        assert response.status_code == 400, term
        assert message in text(response), term
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WatchedWord)) == before


def test_the_try_box_shows_what_would_happen(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    page = text(client.get("/moderation/words", query_string={
        "sentence": "I've been cuttinggg mys3lf again"}))
    assert "Hold: wait for a moderator's approval" in page
    assert "the author is shown crisis contacts" in page
    assert "family: self_harm" in page
    assert "ive ben cuting myself again" in page
    calm = text(client.get("/moderation/words", query_string={
        "sentence": "this traffic is killing me"}))
    assert "Nothing: no watched term matches." in calm
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 0


def test_members_and_other_moderators_cannot_read_or_change_the_words(app, make_user):
    make_user(username="river")
    make_user(username="sam_peer", role="peer_supporter")
    word = db.session.scalar(sa.select(WatchedWord).limit(1))
    for username in ("river", "sam_peer"):
        client = app.test_client()
        sign_in(client, username)
        assert client.get("/moderation/words").status_code == 403
        assert client.get("/moderation/words?sentence=hello").status_code == 403
        token_page = client.get("/account/").get_data(as_text=True)
        from tests.helpers import csrf_token

        token = csrf_token(token_page)
        assert client.post("/moderation/words", data={
            "csrf_token": token, "term": "anything", "action": "block"}).status_code == 403
        assert client.post(f"/moderation/words/{word.id}/remove",
                           data={"csrf_token": token}).status_code == 403
    assert db.session.get(WatchedWord, word.id) is not None


def test_an_empty_word_list_lets_everything_through(client, make_user, app):
    from sharon import safety

    db.session.execute(sa.delete(WatchedWord))
    db.session.commit()
    assert safety.check("I want to kill myself").action == "allow"
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    assert client.get("/moderation/words").status_code == 200
