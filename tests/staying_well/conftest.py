"""Staying well fixtures: the people, a clock set to a known week, and helpers that fill
in the plan and the check-in as a person would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sharon.extensions import db
from sharon.models import CheckIn, CheckInSettings, PlanItem
from tests.helpers import sign_in, submit

# Tuesday 1 December 2026, 10:00 in London (GMT): the week starting Monday 30 November.
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

CALM = {"interest": "0", "low": "1", "nervous": "0", "worrying": "1", "mood": "7"}
HARD = {"interest": "2", "low": "2", "nervous": "1", "worrying": "1", "mood": "3"}


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    """A member (with an email address), another member, a carer and the team."""
    found = {name: make_user(username=name, role=role) for name, role in (
        ("sky", "member"), ("ash", "carer"), ("sam_peer", "peer_supporter"),
        ("vic_volunteer", "volunteer"), ("dr_lee", "clinician"), ("boss", "admin"))}
    found["river"] = make_user(username="river", email="river@example.org")
    return found


@pytest.fixture
def tuesday(frozen_clock):  # type: ignore[no-untyped-def]
    """The clock at Tuesday 1 December 2026, 10:00."""
    frozen_clock.now = TUESDAY
    return frozen_clock


def client_for(app: Flask, username: str) -> FlaskClient:
    """A browser signed in as this person."""
    client = app.test_client()
    sign_in(client, username)
    return client


def turn_on(client: FlaskClient, weekday: str = "1", **extra: Any) -> TestResponse:
    """Turn check-ins on for a day (1: Tuesday)."""
    return submit(client, "/staying-well/check-ins/settings", {"weekday": weekday, **extra})


def check_in(client: FlaskClient, answers: dict[str, Any] | None = None,
             **extra: Any) -> TestResponse:
    """Fill in this week's check-in and send it."""
    return submit(client, "/staying-well/check-in", {**(answers or CALM), **extra})


def write_list(client: FlaskClient, kind: str, lines: str) -> TestResponse:
    """Write one list of the plan, one line each."""
    return submit(client, f"/staying-well/plan/{kind}", {"lines": lines})


def check_ins(user_id: int | None = None) -> list[CheckIn]:
    db.session.expire_all()
    query = sa.select(CheckIn).order_by(CheckIn.week, CheckIn.id)
    if user_id is not None:
        query = query.where(CheckIn.user_id == user_id)
    return list(db.session.scalars(query))


def plan_items(user_id: int, kind: str | None = None) -> list[PlanItem]:
    db.session.expire_all()
    query = sa.select(PlanItem).where(PlanItem.user_id == user_id) \
        .order_by(PlanItem.kind, PlanItem.position)
    if kind is not None:
        query = query.where(PlanItem.kind == kind)
    return list(db.session.scalars(query))


def settings_of(user_id: int) -> CheckInSettings | None:
    db.session.expire_all()
    return db.session.get(CheckInSettings, user_id)


def days_later(clock: Any, client: FlaskClient, username: str, days: int) -> None:
    """Move the clock on; sessions end after 12 hours, so sign in again as people do."""
    clock.advance(days=days)
    sign_in(client, username)
