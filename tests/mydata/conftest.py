"""My data fixtures: a member with something in every area, and helpers that download
and delete as a person would."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sharon.content import render_plain
from sharon.extensions import db
from sharon.forums import moderation as forum_moderation
from sharon.forums import services as forums
from sharon.inbox import services as inbox
from sharon.infra import clock
from sharon.models import (
    Category,
    MutedWord,
    Network,
    Resource,
    ResourceFeedback,
    SavedResource,
    User,
    WallMessage,
)
from sharon.permissions import operator
from sharon.sanctions import services as sanctions
from tests.helpers import csrf_token, sign_in, submit


@pytest.fixture
def space(app: Flask) -> Category:
    network = db.session.scalars(sa.select(Network).order_by(Network.id)).first()
    category = Category(network=network, name="Staying well", description="")
    db.session.add(category)
    db.session.commit()
    return category


@pytest.fixture
def people(make_user, make_invitation) -> dict[str, User]:  # type: ignore[no-untyped-def]
    """river (a member who joined with an invitation the clinician wrote a note on), sky
    (another member), ash (a carer) and the team."""
    dr_lee = make_user(username="dr_lee", role="clinician")
    river = make_user(username="river", email="river@example.org", invited_by=dr_lee)
    make_invitation(created_by=dr_lee, used_by=river, used_at=clock.now(),
                    note="NOTE-FOR-TEAM: referred after CBT for panic")
    return {"river": river, "sky": make_user(username="sky"),
            "ash": make_user(username="ash", role="carer"), "dr_lee": dr_lee,
            "sam_peer": make_user(username="sam_peer", role="peer_supporter"),
            "boss": make_user(username="boss", role="admin")}


@pytest.fixture
def lived_in(people, space) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """river has written, reacted, saved, muted, reported, talked to the team and been
    warned; sky has replied to river."""
    river, sky, dr_lee = people["river"], people["sky"], people["dr_lee"]
    mine = forums.create_thread(river, space, "Evening walks help", "chat",
                                "RIVER-THREAD-BODY walking helps me").post.thread
    reply = forums.reply(sky, mine, "SKY-REPLY thank you river").post
    theirs = forums.create_thread(sky, space, "Sleep tips", "chat", "SKY-OPENER").post.thread
    river_reply = forums.reply(river, theirs, "RIVER-REPLY-FIRST lavender").post
    forums.edit(river, river_reply, "RIVER-REPLY-EDITED lavender helps", None,
                river_reply.version)
    forums.toggle_reaction(river, reply, "thanks")
    db.session.add(MutedWord(user_id=river.id, term="insomnia"))
    forum_moderation.report(river, reply, "other", "RIVER-REPORT-DETAIL")
    resource = Resource(kind="blog", title="Sleeping well", status="published",
                        publish_at=clock.now())
    db.session.add(resource)
    db.session.flush()
    db.session.add(SavedResource(user_id=river.id, resource_id=resource.id))
    db.session.add(ResourceFeedback(user_id=river.id, resource_id=resource.id, helped=True))
    db.session.add(WallMessage(author_id=river.id, body="RIVER-WALL hello all",
                               body_html=str(render_plain("RIVER-WALL hello all")),
                               created_at=clock.now()))
    asked = inbox.ask(river, "Feeling wobbly", "RIVER-TO-TEAM can someone help")
    inbox.answer(dr_lee, asked.conversation, "TEAM-REPLY of course")
    with operator():
        sanctions.give(None, river, "warn", "RIVER-WARNING please keep names out")
    db.session.commit()
    return {"thread": mine, "reply": reply, "their_thread": theirs,
            "river_reply": river_reply, "resource": resource}


def client_for(app: Flask, username: str) -> FlaskClient:
    """A browser signed in as this person."""
    client = app.test_client()
    sign_in(client, username)
    return client


def download(client: FlaskClient, **extra: Any) -> TestResponse:
    """Press "Download your data"."""
    page = client.get("/account/data/").get_data(as_text=True)
    return client.post("/account/data/download",
                       data={"csrf_token": csrf_token(page), "download": "Download your data",
                             **extra})


def unzip(response: TestResponse | bytes) -> dict[str, Any]:
    """The zip's files: JSON ones read, the rest as text."""
    data = response if isinstance(response, bytes) else response.get_data()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return {name: json.loads(archive.read(name)) if name.endswith(".json")
            else archive.read(name).decode() for name in archive.namelist()}


def delete_account(client: FlaskClient, username: str, password: str,
                   posts: str = "keep", **kwargs: Any) -> TestResponse:
    """Fill in "Delete your account" and send it."""
    return submit(client, "/account/data/delete",
                  {"posts": posts, "username": username, "password": password}, **kwargs)
