"""A form that creates something, sent twice (in a row, or at the same moment), makes it
once; the second sending is shown what the first made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.forums import services as forums
from sharon.models import (
    Category,
    Invitation,
    MutedWord,
    Network,
    Post,
    Report,
    Resource,
    Thread,
    User,
    WallClosure,
    WallSession,
    WatchedWord,
)
from sharon.writes import SENT_TWICE
from tests.concurrency import at_once
from tests.factories import default_network
from tests.helpers import csrf_token, sign_in, submission_tokens, text


def _days_ahead(days: int) -> str:
    """A date that stays in the future however late the suite runs (dates in the past
    are refused by the Wall's sessions page)."""
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Case:
    role: str
    page: str
    data: dict[str, str]
    model: Any
    url: str = ""  # where the form posts, when not to its own page


def _thread() -> Thread:
    author = db.session.scalar(sa.select(User).where(User.username == "author"))
    category = Category(network=default_network(), name="Staying well")
    db.session.add(category)
    db.session.flush()
    thread = forums.create_thread(author, category, "A kind first thread", "chat",
                                  "Hello everyone").post.thread
    db.session.commit()
    return thread


def _cases() -> dict[str, Case]:
    """Built inside a test (they need its database): every form that creates something."""
    thread = _thread()
    post = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    return {
        "thread": Case("member", f"/forums/c/{thread.category_id}/new",
                       {"title": "Evening walks", "kind": "chat", "body": "They help me."},
                       Thread),
        "reply": Case("member", f"/forums/t/{thread.id}", {"body": "Same here."}, Post,
                      url=f"/forums/t/{thread.id}/reply"),
        "report": Case("member", f"/forums/p/{post.id}/report",
                       {"reason": "unkind", "detail": "Please look"}, Report),
        "muted word": Case("member", "/forums/muted-words", {"term": "exams"}, MutedWord),
        "invitation": Case("clinician", "/invitations/new",
                           {"role": "member", "networks": "1", "days": "14"}, Invitation),
        "blog": Case("clinician", "/library/manage/new/blog",
                     {"title": "Sleep", "summary": "Short", "body": "Text",
                      "audience": "both", "networks": "1"}, Resource),
        "watched word": Case("clinician", "/moderation/words",
                             {"term": "quokka parade", "action": "flag"}, WatchedWord),
        "wall session": Case("clinician", "/wall/sessions",
                             {"session-day": _days_ahead(20), "session-starts": "10:00",
                              "session-ends": "11:00"}, WallSession),
        "wall closure": Case("clinician", "/wall/sessions",
                             {"closure-starts_on": _days_ahead(40),
                              "closure-ends_on": _days_ahead(42), "closure-reason": "Holiday"},
                             WallClosure),
        "category": Case("admin", "/forums/manage/categories",
                         {"network_id": "1", "name": "New parents", "position": "0",
                          "audience": "everyone"}, Category),
        "network": Case("admin", "/admin/networks", {"name": "Perinatal"}, Network),
        "staff account": Case("admin", "/admin/people/new",
                              {"username": "new_peer", "role": "peer_supporter",
                               "password": "kettle lantern orchard"}, User),
    }


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    for role in ("member", "clinician", "admin"):
        make_user(username=role, role=role)
    make_user(username="author")


def _count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _signed_in(app, role: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, role)
    return client


def _form(client, case: Case, tokens: dict[str, str] | None = None) -> dict[str, str]:
    """The form as the browser would send it: drawn now, with `tokens` if given (the same
    page sent from a second tab or a second click)."""
    html = client.get(case.page).get_data(as_text=True)
    return {"csrf_token": csrf_token(html), **(tokens or submission_tokens(html)), **case.data}


@pytest.mark.parametrize("name", ["thread", "reply", "report", "muted word", "invitation",
                                  "blog", "watched word", "wall session", "wall closure",
                                  "category", "network", "staff account"])
def test_a_form_sent_twice_in_a_row_makes_one(app, people, name):
    case = _cases()[name]
    client = _signed_in(app, case.role)
    before = _count(case.model)
    form = _form(client, case)
    first = client.post(case.url or case.page, data=form)
    assert first.status_code in (200, 302, 303), text(first)
    assert _count(case.model) == before + 1
    again = client.post(case.url or case.page, data=form)
    assert again.status_code == 303
    assert _count(case.model) == before + 1
    shown = client.get(again.headers["Location"], follow_redirects=True)
    assert shown.status_code == 200 and SENT_TWICE in text(shown)


@pytest.mark.parametrize("name", ["thread", "reply", "report", "invitation", "wall session"])
def test_a_form_sent_four_times_at_once_makes_one(app, people, name):
    case = _cases()[name]
    # One page, sent from four tabs (four sessions of one person) at the same moment.
    clients = [_signed_in(app, case.role) for _ in range(4)]
    tokens = submission_tokens(clients[0].get(case.page).get_data(as_text=True))
    forms = [_form(client, case, tokens) for client in clients]
    before = _count(case.model)
    responses = at_once([lambda c=c, f=f: c.post(case.url or case.page, data=f)
                         for c, f in zip(clients, forms, strict=True)])
    assert _count(case.model) == before + 1
    statuses = sorted(r.status_code for r in responses)
    assert statuses[-3:] == [303, 303, 303] and statuses[0] in (200, 302, 303), statuses
    made = {r.headers.get("Location") for r in responses if r.status_code == 303}
    assert len(made) == 1  # every later sending is shown the one thing made


def test_a_missing_or_forged_token_saves_nothing_and_keeps_what_was_typed(app, people):
    case = _cases()["thread"]
    client = _signed_in(app, "member")
    for token in ({}, {"submission": "<script>"}):
        form = {k: v for k, v in _form(client, case).items() if k != "submission"} | token
        response = client.post(case.page, data=form)
        assert response.status_code == 400
        assert "This form was out of date, so nothing was saved" in text(response)
        assert 'value="Evening walks"' in response.get_data(as_text=True)
        assert "<script>" not in response.get_data(as_text=True)
        # The page drawn again carries a fresh token, and sending it works.
        retry = submission_tokens(response.get_data(as_text=True))
        assert retry["submission"] not in ("", "<script>")
    assert _count(Thread) == 1  # the fixture's own


def test_joining_sent_twice_makes_one_account_and_says_so(app, make_invitation):
    from sharon.auth.views import JOINED_ALREADY

    invitation = make_invitation()
    first, second = app.test_client(), app.test_client()
    html = first.get("/join").get_data(as_text=True)
    form = {"csrf_token": csrf_token(html), **submission_tokens(html), "code": invitation.code,
            "username": "blue_heron", "password": "kettle lantern orchard",
            "confirm": "kettle lantern orchard", "accept_guidelines": "y"}
    # The second sending, from a browser that never heard the first answer (no cookie).
    second.get("/join")
    with second.session_transaction() as session, first.session_transaction() as mine:
        session.update(mine)
    before = _count(User)
    assert first.post("/join", data=form).status_code == 302
    again = second.post("/join", data=form)
    assert again.status_code == 303 and again.headers["Location"].endswith("/sign-in")
    assert JOINED_ALREADY in text(second.get("/sign-in"))
    assert _count(User) == before + 1
