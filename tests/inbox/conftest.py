"""Ask the team fixtures: the people, and helpers that write as they would."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sharon.extensions import db
from sharon.models import Conversation, ConversationMessage, ItemKind, ModerationItem
from tests.helpers import sign_in, submit


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    """A member, another member, a carer and the team."""
    return {name: make_user(username=name, role=role) for name, role in (
        ("river", "member"), ("sky", "member"), ("ash", "carer"),
        ("sam_peer", "peer_supporter"), ("dr_lee", "clinician"), ("boss", "admin"))}


def client_for(app: Flask, username: str) -> FlaskClient:
    """A browser signed in as this person."""
    client = app.test_client()
    sign_in(client, username)
    return client


def write_to_team(client: FlaskClient, subject: str = "Feeling wobbly",
                  body: str = "Could someone point me to the sleep resources?") -> TestResponse:
    """Fill in "Write to the team" and send it."""
    return submit(client, "/ask-the-team/new", {"subject": subject, "body": body})


def answer(client: FlaskClient, conversation_id: int, body: str) -> TestResponse:
    """A team member replies from the conversation page."""
    return submit(client, f"/ask-the-team/{conversation_id}/answer", {"body": body},
                  page=f"/ask-the-team/{conversation_id}")


def reply(client: FlaskClient, conversation_id: int, body: str) -> TestResponse:
    """The member writes again from the conversation page."""
    return submit(client, f"/ask-the-team/{conversation_id}/reply", {"body": body},
                  page=f"/ask-the-team/{conversation_id}")


def only_conversation() -> Conversation:
    db.session.expire_all()
    return db.session.scalars(sa.select(Conversation)).one()


def messages(conversation_id: int | None = None) -> list[ConversationMessage]:
    db.session.expire_all()
    query = sa.select(ConversationMessage).order_by(ConversationMessage.id)
    if conversation_id is not None:
        query = query.where(ConversationMessage.conversation_id == conversation_id)
    return list(db.session.scalars(query))


def items(kind: str | None = None) -> list[ModerationItem]:
    db.session.expire_all()
    query = sa.select(ModerationItem).order_by(ModerationItem.id)
    if kind is not None:
        query = query.where(ModerationItem.kind == kind)
    return list(db.session.scalars(query))


def waiting() -> list[ModerationItem]:
    """Open conversation items in the queue."""
    return [i for i in items(ItemKind.CONVERSATION) if i.handled_at is None]
