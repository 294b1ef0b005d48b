"""A member or carer downloads everything they wrote and everything stored about them: a
zip of JSON files, streamed, only ever their own, without the team's notes."""

from __future__ import annotations

import json

import sqlalchemy as sa

from sharon.extensions import db
from sharon.infra import clock
from sharon.models import Post, Thread
from tests.helpers import csrf_token, text
from tests.mydata.conftest import client_for, download, unzip


def test_a_member_downloads_everything_of_theirs_in_every_area(app, people, lived_in):
    client = client_for(app, "river")
    page = client.get("/account/")
    assert "Your data: download or delete" in text(page)
    response = download(client)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="sharon-data-river-{clock.now():%Y-%m-%d}.zip"')
    files = unzip(response)
    assert "README.txt" in files
    profile = files["account/profile.json"][0]
    assert (profile["username"], profile["role"], profile["email"]) == \
        ("river", "Member", "river@example.org")
    assert profile["networks"] and profile["joined"] and profile["joined_with_an_invitation_on"]
    assert [t["title"] for t in files["forums/threads.json"]] == ["Evening walks help"]
    assert {p["text"] for p in files["forums/posts.json"]} == {
        "RIVER-THREAD-BODY walking helps me", "RIVER-REPLY-EDITED lavender helps"}
    assert [v["text"] for v in files["forums/post_versions.json"]] == \
        ["RIVER-REPLY-FIRST lavender"]
    assert [r["kind"] for r in files["forums/reactions.json"]] == ["thanks"]
    assert {f["title"] for f in files["forums/follows.json"]} == \
        {"Evening walks help", "Sleep tips"}
    assert [(n["kind"], n["from"]) for n in files["forums/notifications.json"]] == [
        ("reply", "sky"), ("team_reply", "the SHaRON team")]
    assert files["forums/muted_words.json"] == [{"term": "insomnia"}]
    assert [r["detail"] for r in files["forums/reports_made.json"]] == ["RIVER-REPORT-DETAIL"]
    assert [s["title"] for s in files["library/saved.json"]] == ["Sleeping well"]
    assert [f["helped"] for f in files["library/feedback.json"]] == [True]
    assert [m["text"] for m in files["wall/messages.json"]] == ["RIVER-WALL hello all"]
    assert [c["subject"] for c in files["inbox/conversations.json"]] == ["Feeling wobbly"]
    assert [(m["from"], m["text"]) for m in files["inbox/messages.json"]] == [
        ("you", "RIVER-TO-TEAM can someone help"), ("the SHaRON team", "TEAM-REPLY of course")]
    assert [(s["kind"], s["reason"]) for s in files["sanctions/sanctions.json"]] == [
        ("warn", "RIVER-WARNING please keep names out")]


def test_the_team_s_notes_and_names_and_other_members_words_are_not_in_it(
        app, people, lived_in):
    everything = json.dumps(unzip(download(client_for(app, "river"))))
    # Staff-only: the invitation's note, who invited them, who replied or warned them.
    assert "NOTE-FOR-TEAM" not in everything
    assert "dr_lee" not in everything
    assert "password_hash" not in everything and "argon2" not in everything
    # Another member's words are theirs, not river's (sky's reply is only a notification).
    assert "SKY-REPLY" not in everything and "SKY-OPENER" not in everything


def test_each_person_gets_only_their_own_data(app, people, lived_in):
    files = unzip(download(client_for(app, "sky"), user_id=str(people["river"].id),
                           username="river"))
    assert files["account/profile.json"][0]["username"] == "sky"
    assert "RIVER" not in json.dumps(files)
    river = client_for(app, "river")
    # No page names another person: asking for one by id finds nothing.
    assert river.get(f"/account/data/{people['sky'].id}").status_code == 404
    assert river.post(f"/account/data/download/{people['sky'].id}").status_code == 404


def test_a_carer_may_download_and_the_team_is_sent_to_an_admin(app, people, lived_in):
    assert unzip(download(client_for(app, "ash")))["account/profile.json"][0]["role"] == "Carer"
    for name in ("sam_peer", "dr_lee", "boss"):
        client = client_for(app, name)
        page = client.get("/account/data/")
        assert page.status_code == 200
        assert "please ask an admin" in text(page)
        assert "Download your data" not in text(page)
        assert download(client).status_code == 403
        assert client.get("/account/data/delete").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, people):
    page = client.post("/account/data/download")
    assert page.status_code in (302, 400)  # no session, no token: nothing is sent
    assert client.get("/account/data/").headers["Location"].startswith("/sign-in")


def test_thousands_of_posts_stream_and_all_arrive(app, people, space):
    river = people["river"]
    now = clock.now()
    thread = Thread(category_id=space.id, author_id=river.id, title="A long diary",
                    created_at=now, last_activity_at=now, post_count=3000)
    db.session.add(thread)
    db.session.flush()
    db.session.execute(sa.insert(Post), [
        {"thread_id": thread.id, "number": n, "author_id": river.id,
         "body_source": f"diary entry {n}", "body_html": f"<p>diary entry {n}</p>",
         "body_text": f"diary entry {n}", "created_at": now} for n in range(1, 3001)])
    db.session.commit()
    client = client_for(app, "river")
    reads: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if "FROM posts JOIN threads" in statement:
            reads.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = download(client)
        assert response.is_streamed
        # Made as it is sent: the first bytes leave before the posts are all read.
        chunks = iter(response.response)
        first = next(chunks)
        assert first.startswith(b"PK") and len(reads) < 2
        posts = unzip(first + b"".join(chunks))["forums/posts.json"]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(reads) == 7  # 500 at a time
    assert len(posts) == 3000
    assert [p["number"] for p in posts] == list(range(1, 3001))
    assert posts[-1]["text"] == "diary entry 3000"


def test_only_the_button_starts_a_download(app, people):
    client = client_for(app, "river")
    page = client.get("/account/data/").get_data(as_text=True)
    # A POST with the token but not from the button (another form, a script) sends
    # nothing, and goes back to the page.
    response = client.post("/account/data/download", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/data/"
