"""The Wall's pages over HTTP: readable without JavaScript, history, and the staff pages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from sharon.content import render_plain
from sharon.extensions import db
from sharon.models import ModerationAction, WallClosure, WallHours, WallMessage, WallSession
from tests.forums.test_reading import count_statements
from tests.helpers import pager_link, sign_in, submit, text


def _post(author, body, status="visible", **kwargs):  # type: ignore[no-untyped-def]
    from sharon.infra import clock

    message = WallMessage(author=author, body=body, body_html=str(render_plain(body)),
                          status=status, created_at=kwargs.pop("at", clock.now()), **kwargs)
    db.session.add(message)
    db.session.commit()
    return message


def without_templates(html: str) -> str:
    """The page as it stands without JavaScript: <template> contents are inert."""
    return re.sub(r"<template\b.*?</template>", "", html, flags=re.S)


def test_the_page_needs_a_sign_in(client, open_clock):
    response = client.get("/wall/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_without_javascript_the_page_shows_recent_messages_read_only(
        client, people, open_clock):
    _post(people["member"], "Hello from earlier <b>bold</b>")
    _post(people["member"], "A hidden one", status="hidden")
    _post(people["member"], "A held one", status="held")
    sign_in(client, "ash")
    response = client.get("/wall/")
    page = response.get_data(as_text=True)
    seen = text(response)
    assert "The Wall is open until 17:00" in seen
    assert "Hello from earlier <b>bold</b>" in seen and "<b>bold</b>" not in page
    assert "A hidden one" not in seen and "A held one" not in seen
    assert "To post, please turn on JavaScript" in seen
    # The message box is only a template, which wall.js puts on the page: never a box that
    # cannot send.
    assert '<template id="wall-compose-template">' in page
    assert "<textarea" not in without_templates(page)
    assert 'aria-live="polite"' in page
    assert "Samaritans" in seen and "116 123" in seen
    assert "socket.io.min.js" in page and "Moderating" not in seen


def test_outside_hours_the_page_says_when_it_next_opens(client, people, open_clock):
    open_clock.now = open_clock.now.replace(hour=18)
    sign_in(client, "robin")
    assert "It next opens Tuesday 1 December at 09:00" in text(client.get("/wall/"))


def test_history_is_paginated_and_works_while_closed(client, people, open_clock):
    start = open_clock.now - timedelta(days=3)
    for n in range(60):
        _post(people["member"], f"old message {n}", at=start + timedelta(minutes=n))
    open_clock.now = open_clock.now.replace(hour=20)
    sign_in(client, "robin")
    response = client.get("/wall/history")
    first = text(response)
    assert "old message 59" in first and "old message 10" in first
    assert "old message 9 " not in first and "Older messages" in first
    assert pager_link(response, "prev") is None and "(older messages)" not in first
    second = client.get(pager_link(response, "next"))
    assert second.status_code == 200
    assert "old message 9" in text(second) and "old message 0" in text(second)
    assert "old message 10 " not in text(second) and "(older messages)" in text(second)
    assert pager_link(second, "next") is None
    # Old numbered links: past the first page they go to it; junk or 1 is the first page.
    for old in ("2", "3", "999999"):
        moved = client.get(f"/wall/history?page={old}")
        assert moved.status_code == 302 and moved.headers["Location"].endswith("/wall/history")
    for junk in ("abc", "1", "-1", "0"):
        response = client.get(f"/wall/history?page={junk}")
        assert response.status_code == 200 and "old message 59" in text(response)


def _history_numbers(response) -> list[int]:  # type: ignore[no-untyped-def]
    """The history messages on a page, in order, by their number ("message 17")."""
    return [int(n) for n in re.findall(r"\bhistory message (\d+)\b", text(response))]


def test_history_pages_back_by_older_links_and_forward_by_newer(client, people, open_clock):
    start = open_clock.now - timedelta(days=5)
    hidden = set()
    for n in range(153):
        # Every fifth is hidden, two held: 120 visible, spread over several days.
        status = "hidden" if n % 5 == 0 else "visible"
        if n in (3, 77):
            status = "held"
        if status != "visible":
            hidden.add(n)
        _post(people["member"], f"history message {n}", status=status,
              at=start + timedelta(hours=n // 3, minutes=n))
    visible = [n for n in range(152, -1, -1) if n not in hidden]
    assert len(visible) == 120
    open_clock.now = open_clock.now.replace(hour=20)
    sign_in(client, "robin")
    pages = [client.get("/wall/history")]
    while (older := pager_link(pages[-1], "next")) is not None:
        assert "page=" not in older and len(pages) < 10
        pages.append(client.get(older))
    assert all(p.status_code == 200 for p in pages)
    seen = [n for page in pages for n in _history_numbers(page)]
    assert seen == visible  # newest first, no gaps, no repeats, nothing hidden or held
    assert [len(_history_numbers(p)) for p in pages] == [50, 50, len(visible) - 100]
    # Back to the top by "Newer messages": the same pages, and the top has no "Newer".
    middle = client.get(pager_link(pages[2], "prev"))
    assert _history_numbers(middle) == _history_numbers(pages[1])
    top = client.get(pager_link(middle, "prev"))
    assert _history_numbers(top) == _history_numbers(pages[0])
    assert pager_link(top, "prev") is None and "(older messages)" not in text(top)


@pytest.mark.parametrize("token", ["made-up", "", "x" * 500, "tampered", "cut", "category"])
def test_a_changed_history_link_shows_the_first_page_with_a_400(client, people, open_clock,
                                                                token):
    start = open_clock.now - timedelta(days=2)
    for n in range(70):
        _post(people["member"], f"history message {n}", at=start + timedelta(minutes=n))
    sign_in(client, "robin")
    real = pager_link(client.get("/wall/history"), "next").split("after=")[1]
    if token == "tampered":
        token = real[:-3] + ("A" if real[-3] != "A" else "B") + real[-2:]
    elif token == "cut":
        token = real[:-4]
    elif token == "category":  # signed by the site, but for another listing
        from sharon.infra import keyset

        with client.application.test_request_context():
            token = keyset.encode("category", (20,))
    for arg in ("after", "before"):
        response = client.get("/wall/history", query_string={arg: token})
        assert response.status_code == 400
        assert "That page link was not valid" in text(response)
        assert 'role="alert"' in response.get_data(as_text=True)
        assert _history_numbers(response)[0] == 69  # the first page's newest message
        assert "(older messages)" not in text(response)


def test_history_pages_run_the_same_statements_at_any_depth(client, make_user, people,
                                                            open_clock):
    start = open_clock.now - timedelta(days=4)
    authors = [people["member"], *(make_user(username=f"writer_{i}") for i in range(6))]
    earlier = None
    for n in range(130):
        earlier = _post(authors[n % len(authors)], f"history message {n}",
                        at=start + timedelta(minutes=n),
                        reply_to=earlier if n % 7 == 0 else None)
    sign_in(client, "robin")
    first = client.get("/wall/history")
    last = client.get(pager_link(client.get(pager_link(first, "next")), "next"))
    assert pager_link(last, "next") is None and _history_numbers(last)[-1] == 0
    url = pager_link(client.get(pager_link(first, "next")), "next")
    with count_statements() as top:
        assert client.get("/wall/history").status_code == 200
    with count_statements() as bottom:
        assert client.get(url).status_code == 200
    assert len(top) == len(bottom), bottom
    # One statement reads the page, authors and replied-to messages included: none is
    # loaded a message at a time (only the signed-in person is read on their own).
    listing = [s for s in bottom if "FROM wall_messages" in s]
    assert len(listing) == 1 and "(wall_messages.id) <" in listing[0]
    assert len([s for s in top if "FROM wall_messages" in s]) == 1
    assert len([s for s in bottom if s.lstrip().startswith("SELECT users.")]) == 1


def test_only_clinicians_and_admins_manage_sessions(app, client, people, open_clock):
    peer = app.test_client()
    sign_in(peer, "sam_peer")
    assert peer.get("/wall/sessions").status_code == 403
    assert peer.get("/wall/hours").status_code == 403
    sign_in(client, "dr_lee")
    assert client.get("/wall/sessions").status_code == 200
    assert client.get("/wall/hours").status_code == 403


def test_a_clinician_adds_and_removes_an_extra_session(client, people, open_clock):
    sign_in(client, "dr_lee")
    response = submit(client, "/wall/sessions", {
        "session-day": "2026-12-05", "session-starts": "10:00", "session-ends": "11:30",
        "session-note": "Saturday drop-in"}, follow_redirects=True)
    assert "Extra session added" in text(response)
    session = db.session.scalar(sa.select(WallSession))
    assert session.starts_at.isoformat() == "2026-12-05T10:00:00+00:00"
    assert "Saturday 5 December, 10:00 to 11:30: Saturday drop-in" in text(response)
    response = submit(client, f"/wall/session/{session.id}/remove", {}, page="/wall/sessions",
                      follow_redirects=True)
    assert "Extra session removed" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallSession)) == 0
    actions = db.session.scalars(sa.select(ModerationAction.action)).all()
    assert actions == ["wall_session_add", "wall_session_remove"]


def test_bad_session_and_closure_input_is_refused(client, people, open_clock):
    sign_in(client, "dr_lee")
    for data, error in [
        ({"session-day": "2026-12-05", "session-starts": "11:00", "session-ends": "10:00"},
         "The session must end after it starts"),
        ({"session-day": "not a date", "session-starts": "10:00", "session-ends": "11:00"},
         "Not a valid date value"),
        ({"session-day": "2026-11-01", "session-starts": "10:00", "session-ends": "11:00"},
         "That session would already be over"),
    ]:
        response = submit(client, "/wall/sessions", data)
        assert response.status_code == 400 and error in text(response), data
    response = submit(client, "/wall/sessions", {"closure-starts_on": "2026-12-10",
                                                 "closure-ends_on": "2026-12-09",
                                                 "closure-reason": ""})
    assert response.status_code == 400
    assert "The last day must be on or after the first day" in text(response)
    assert "Give a reason" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallSession)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallClosure)) == 0


def test_a_closure_closes_the_wall_and_blocks_new_sessions_then(client, people, open_clock):
    sign_in(client, "dr_lee")
    response = submit(client, "/wall/sessions", {
        "closure-starts_on": "2026-11-30", "closure-ends_on": "2026-12-01",
        "closure-reason": "Staff training"}, follow_redirects=True)
    assert "Closure added" in text(response)
    seen = text(client.get("/wall/"))
    assert "The Wall is closed" in seen and "It next opens Wednesday 2 December" in seen
    assert "Staff training" in seen
    response = submit(client, "/wall/sessions", {
        "session-day": "2026-12-01", "session-starts": "18:00", "session-ends": "19:00"})
    assert response.status_code == 400 and "Staff training" in text(response)


def test_an_admin_edits_the_weekly_hours_down_to_none(client, people, make_user, open_clock):
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    data = {}
    for day in range(7):
        data[f"days-{day}-opens"] = ""
        data[f"days-{day}-closes"] = ""
    data["days-2-opens"], data["days-2-closes"] = "10:00", "12:00"
    response = submit(client, "/wall/hours", data, follow_redirects=True)
    assert "Office hours saved" in text(response)
    rows = db.session.execute(sa.select(WallHours.weekday, WallHours.opens)).all()
    assert [(r[0], r[1].hour) for r in rows] == [(2, 10)]
    bad = dict(data, **{"days-3-opens": "12:00", "days-3-closes": ""})
    response = submit(client, "/wall/hours", bad)
    assert response.status_code == 400 and "Thursday: Enter both times" in text(response)
    none = {k: "" for k in data}
    response = submit(client, "/wall/hours", none, follow_redirects=True)
    assert "the Wall has no weekly hours now" in text(response)
    assert "No opening time is planned yet" in text(client.get("/wall/"))


def test_the_wall_session_command_opens_the_wall_now(app, runner, people, open_clock):
    open_clock.now = open_clock.now.replace(hour=21)
    result = runner.invoke(args=["wall-session", "--minutes", "45"])
    assert result.exit_code == 0, result.output
    assert "open until 21:45 UK time" in result.output
    from sharon.wall import hours

    assert hours.current().open
    assert runner.invoke(args=["wall-session", "--minutes", "0"]).exit_code != 0
    db.session.add(WallClosure(starts_on=date(2026, 11, 30), ends_on=date(2026, 11, 30),
                               reason="Snow day"))
    db.session.commit()
    result = runner.invoke(args=["wall-session", "--minutes", "10"])
    assert result.exit_code != 0 and "Snow day" in result.output


def test_seed_demo_adds_a_past_session(app, runner, open_clock):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    count = db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage))
    assert count >= 5
    runner.invoke(args=["seed-demo"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WallMessage)) == count


def test_history_is_grouped_by_day_newest_first(client, people, open_clock):
    monday = open_clock.now  # Monday 30 November 2026, 10:00
    _post(people["member"], "from last friday", at=monday - timedelta(days=3))
    _post(people["member"], "from this monday", at=monday - timedelta(minutes=5))
    sign_in(client, "robin")
    html = client.get("/wall/history").get_data(as_text=True)
    headings = re.findall(r'<h2 id="day-\d+">([^<]+)</h2>', html)
    assert headings == ["Monday 30 November 2026", "Friday 27 November 2026"]
    assert html.index("from this monday") < html.index("Friday 27 November 2026") \
        < html.index("from last friday")
