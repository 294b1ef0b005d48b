"""The team dashboard: what the moderating team sees of the queue, duty, risk response
times, the Wall and members taking part, in tables beside server-drawn charts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.infra import charts, kept_rules
from sharon.models import ItemKind, ModerationItem, Network, WallMessage
from sharon.models.moderation import Level
from sharon.moderation import dashboard
from sharon.moderation import services as moderation
from sharon.wall import duty, hours
from tests.forums.conftest import make_category
from tests.helpers import sign_in, text
from tests.wall.conftest import MONDAY_10AM

PAGE = "/moderation/dashboard"


@pytest.fixture
def open_clock(frozen_clock):  # type: ignore[no-untyped-def]
    frozen_clock.now = MONDAY_10AM
    return frozen_clock


@pytest.fixture
def wall_lent(app, monkeypatch):  # type: ignore[no-untyped-def]
    """The Wall's rules lent to the dashboard, as the Wall does from the app factory."""
    monkeypatch.setattr(dashboard, "_WALL", [])
    dashboard.register_wall(duty.on_duty, hours.current, hours.Calendar)


@pytest.fixture
def space(app):  # type: ignore[no-untyped-def]
    network = db.session.scalars(sa.select(Network).order_by(Network.id)).first()
    return make_category(network, "Staying well")


def _cells(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def table(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, each as the text of its cells."""
    match = re.search(r"<caption[^>]*>\s*" + re.escape(caption) + r"\s*</caption>(.*?)</table>",
                      html, re.S)
    assert match, f"no table captioned {caption!r}"
    return [[_cells(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)]


def page(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _item(clock, kind: ItemKind, level: Level, ago: timedelta,  # type: ignore[no-untyped-def]
          answered_after: timedelta | None = None) -> ModerationItem:
    """An item raised `ago` before the clock's time, taken up `answered_after` later (as
    claiming, escalating or closing it would record)."""
    now = clock.now
    clock.now = now - ago
    item = moderation.enqueue(kind, "refused_post", 1, level=level, reason="worrying words")
    clock.now = now
    if answered_after is not None:
        item.first_response_at = item.created_at + answered_after
    db.session.commit()
    return item


def _wall_message(author, at: datetime) -> None:  # type: ignore[no-untyped-def]
    db.session.add(WallMessage(author=author, body="hello", body_html="hello", created_at=at))
    db.session.commit()


# --- Who may see it ----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["member", "carer"])
def test_members_and_carers_may_not_see_the_dashboard(client, make_user, role):
    make_user(username="someone", role=role)
    sign_in(client, "someone")
    assert client.get(PAGE).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ["peer_supporter", "volunteer", "clinician", "admin"])
def test_every_moderating_role_sees_the_dashboard(client, make_user, open_clock, wall_lent,
                                                  role):
    make_user(username="someone", role=role)
    sign_in(client, "someone")
    html = page(client)
    assert "Team dashboard" in html
    assert "Nothing is waiting." in html and "Nobody is on duty on the Wall." in html


# --- The queue now ------------------------------------------------------------------------

def test_open_items_are_counted_by_kind_and_level(client, make_user, open_clock):
    make_user(username="sam_peer", role="peer_supporter")
    _item(open_clock, ItemKind.RISK, Level.URGENT, timedelta(hours=2))
    _item(open_clock, ItemKind.RISK, Level.URGENT, timedelta(minutes=5))
    closed = _item(open_clock, ItemKind.RISK, Level.URGENT, timedelta(days=9))
    closed.handled_at = open_clock.now
    db.session.commit()
    oldest = _item(open_clock, ItemKind.REPORT, Level.NORMAL, timedelta(days=3, hours=4))
    _item(open_clock, ItemKind.REPORT, Level.HIGH, timedelta(hours=1))
    _item(open_clock, ItemKind.HELD, Level.NORMAL, timedelta(minutes=30))
    sign_in(client, "sam_peer")
    html = page(client)
    assert table(html, "Open items by kind and level") == [
        ["Kind", "Urgent", "High", "Normal", "All levels"],
        ["Risk flags", "2", "0", "0", "2"],
        ["Reports", "0", "1", "1", "2"],
        ["Waiting for approval", "0", "0", "1", "1"],
        ["Conversations", "0", "0", "0", "0"],
        ["All kinds", "2", "1", "2", "5"],
    ]
    assert "5 open items, 2 of them urgent." in _cells(html)
    waiting = table(html, "The open items that have waited longest, oldest first")
    assert waiting[1][:3] == [f"Report, item {oldest.id}", "Normal", "3 days 4 hours"]
    assert [row[2] for row in waiting[1:]] == ["3 days 4 hours", "2 hours", "1 hour",
                                               "30 minutes", "5 minutes"]


def test_each_chart_is_a_named_picture_beside_its_table(client, make_user, open_clock):
    make_user(username="dr_lee", role="clinician")
    _item(open_clock, ItemKind.RISK, Level.URGENT, timedelta(hours=2))
    sign_in(client, "dr_lee")
    html = page(client)
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg
        label = re.search(r'aria-labelledby="([^"]+)"', svg).group(1)
        assert re.search(rf'<title id="{label}">[^<]+</title>', svg)
    open_chart = next(svg for svg in svgs if "Open items by kind" in svg)
    assert ">Risk flags</text>" in open_chart and ">1</text>" in open_chart
    # Nothing on the page needs JavaScript: the only scripts are the layout's (the NHS.UK
    # frontend's enhancements, and the team's live alerts after the page).
    main = html[html.index('<main id="main"'):html.index("</main>")]
    assert "<script" not in main


def test_chart_text_is_escaped():
    svg = charts.bars("x", "<script>alert(1)</script>", [("<b>risk</b>", 3)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;risk" in svg
    grouped = charts.columns("y", "Weeks", ["1 <Nov>"], [charts.Series("A&B", (2,))])
    assert "1 &lt;Nov&gt;" in grouped and "A&amp;B" not in grouped  # one series: no legend
    legend = charts.columns("z", "Weeks", ["1 Nov"], [charts.Series("A&B", (2,)),
                                                      charts.Series("C", (1,))])
    assert "A&amp;B" in legend


def test_the_number_of_queries_does_not_grow_with_the_data(client, make_user, open_clock,
                                                           wall_lent, space):
    from sharon.forums import services as forums

    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")

    def queries() -> int:
        statements: list[str] = []

        def count(*args) -> None:  # type: ignore[no-untyped-def]
            statements.append(args[2])

        kept_rules.forget(hours.CALENDAR)  # the Wall's rules read afresh each time
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            page(client)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    empty = queries()
    for n in range(6):
        person = make_user(role="carer" if n % 2 else "member")
        forums.create_thread(person, space, f"Thread number {n}", "chat", "words")
        _wall_message(person, open_clock.now - timedelta(days=n * 5))
        _item(open_clock, ItemKind.RISK, Level.HIGH, timedelta(days=n * 4),
              timedelta(minutes=n))
    db.session.commit()
    assert queries() == empty


# --- On duty --------------------------------------------------------------------------------

def test_who_is_on_duty_now(client, make_user, open_clock, wall_lent):
    lee = make_user(username="dr_lee", role="clinician")
    kim = make_user(username="kim_vol", role="volunteer")
    make_user(username="sam_peer", role="peer_supporter")
    duty.do_duty(lee, True)
    duty.do_duty(kim, True)
    db.session.commit()
    open_clock.advance(seconds=5)
    duty.heartbeat({lee.id})  # kim's tab is gone: her duty lapses
    db.session.commit()
    open_clock.advance(seconds=25)
    duty.heartbeat({lee.id})
    db.session.commit()
    sign_in(client, "sam_peer")
    shown = text(client.get(PAGE))
    assert "The Wall is open until Monday 30 November at 17:00." in shown
    assert "dr_lee (Clinician)" in shown and "kim_vol" not in shown


def test_the_wall_lends_the_dashboard_its_rules(app):
    # The moderation package may not name the Wall's code: the Wall registers its duty
    # and office-hours rules from the app factory, so nothing is counted by a copy.
    assert dashboard.wall_rules() == dashboard.WallRules(duty.on_duty, hours.current,
                                                         hours.Calendar)


def test_without_the_walls_rules_the_page_says_so(client, make_user, open_clock,
                                                  monkeypatch):
    monkeypatch.setattr(dashboard, "_WALL", [])
    make_user(username="dr_lee", role="clinician")
    _wall_message(make_user(username="robin"), open_clock.now - timedelta(minutes=3))
    sign_in(client, "dr_lee")
    html = page(client)
    assert "has not told this page who is on it" in _cells(html)
    assert "In the last 4 weeks 1 message was written on the Wall." in _cells(html)
    assert table(html, "The Wall, week by week")[-1] == [
        "Week of 30 November 2026 (so far)", "not known", "1"]


# --- Risk flags ----------------------------------------------------------------------------

def test_time_to_first_response_for_risk_flags(client, make_user, open_clock):
    make_user(username="dr_lee", role="clinician")
    _item(open_clock, ItemKind.RISK, Level.URGENT, timedelta(days=2), timedelta(minutes=10))
    _item(open_clock, ItemKind.RISK, Level.HIGH, timedelta(days=3), timedelta(hours=2))
    _item(open_clock, ItemKind.RISK, Level.URGENT, timedelta(hours=1))  # still waiting
    _item(open_clock, ItemKind.RISK, Level.HIGH, timedelta(days=15), timedelta(hours=5))
    _item(open_clock, ItemKind.RISK, Level.HIGH, timedelta(days=20),
          timedelta(days=1, hours=3, minutes=20))
    # Closed before first responses were recorded: taken up when it was closed.
    legacy = _item(open_clock, ItemKind.RISK, Level.NORMAL, timedelta(days=10))
    legacy.handled_at = legacy.created_at + timedelta(minutes=30)
    db.session.commit()
    _item(open_clock, ItemKind.RISK, Level.HIGH, timedelta(days=40), timedelta(days=9))
    _item(open_clock, ItemKind.REPORT, Level.NORMAL, timedelta(days=1))  # not a risk flag
    sign_in(client, "dr_lee")
    html = page(client)
    assert table(html, "Time to first response for risk flags") == [
        ["Flags raised in", "Flags", "Still waiting", "Median", "Worst"],
        ["The last 7 days", "3", "1", "1 hour", "2 hours"],
        ["The last 30 days", "6", "1", "1 hour 30 minutes", "1 day 3 hours"],
    ]
    assert "A flag still waiting counts up to now." in _cells(html)


def test_a_forgotten_flag_makes_the_worst_wait_grow(client, make_user, open_clock):
    make_user(username="dr_lee", role="clinician")
    _item(open_clock, ItemKind.RISK, Level.URGENT, timedelta(minutes=20))
    sign_in(client, "dr_lee")
    assert table(page(client), "Time to first response for risk flags")[1][3:] == [
        "20 minutes", "20 minutes"]
    open_clock.advance(hours=2)
    assert table(page(client), "Time to first response for risk flags")[1][3:] == [
        "2 hours 20 minutes", "2 hours 20 minutes"]


def test_no_risk_flags_shows_dashes(client, make_user, open_clock):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    assert table(page(client), "Time to first response for risk flags")[1] == [
        "The last 7 days", "0", "0", "–", "–"]


# --- The Wall ------------------------------------------------------------------------------

def test_wall_days_open_and_messages_by_week(client, make_user, frozen_clock, wall_lent):
    boss = make_user(username="dr_lee", role="clinician")
    robin = make_user(username="robin")
    # Planned ahead: a closure on Wednesday and Thursday 18-19 November, and an extra
    # session on Saturday 21 November (the default hours are Monday to Friday, 9 to 5).
    frozen_clock.now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    hours.do_add_closure(boss, date(2026, 11, 18), date(2026, 11, 19), "Team training")
    hours.do_add_session(boss, datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
                         datetime(2026, 11, 21, 12, 0, tzinfo=UTC), "Weekend drop-in")
    db.session.commit()
    frozen_clock.now = MONDAY_10AM
    for at in (datetime(2026, 11, 17, 10, tzinfo=UTC), datetime(2026, 11, 21, 11, tzinfo=UTC),
               datetime(2026, 11, 23, 9, 30, tzinfo=UTC), MONDAY_10AM - timedelta(minutes=5),
               datetime(2026, 11, 8, 23, 59, tzinfo=UTC)):  # a Sunday before the 4 weeks
        _wall_message(robin, at)
    sign_in(client, "dr_lee")
    html = page(client)
    assert table(html, "The Wall, week by week") == [
        ["Week", "Days open", "Messages written"],
        ["Week of 9 November 2026", "5", "0"],
        ["Week of 16 November 2026", "4", "2"],
        ["Week of 23 November 2026", "5", "1"],
        ["Week of 30 November 2026 (so far)", "1", "1"],
    ]
    assert ("In the last 4 weeks the Wall was open on 15 days, and 4 messages were written "
            "on it.") in _cells(html)
    wall_chart = next(svg for svg in re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
                      if "Wall messages" in svg)
    assert ">16 Nov</text>" in wall_chart and ">2</text>" in wall_chart


# --- Members and carers ----------------------------------------------------------------------

def test_members_and_carers_who_wrote_something_each_week(client, make_user, frozen_clock,
                                                          space):
    from sharon.forums import services as forums

    robin, river = make_user(username="robin"), make_user(username="river")
    ash = make_user(username="ash", role="carer")
    sam = make_user(username="sam_peer", role="peer_supporter")
    make_user(username="dr_lee", role="clinician")

    def post(person, at: datetime) -> None:  # type: ignore[no-untyped-def]
        frozen_clock.now = at
        forums.create_thread(person, space, "How are you all doing", "chat", "some words")
        db.session.commit()

    week_of_23rd = datetime(2026, 11, 24, 12, tzinfo=UTC)
    post(robin, week_of_23rd)
    post(robin, week_of_23rd + timedelta(days=1))
    _wall_message(robin, week_of_23rd + timedelta(days=2))  # still one person
    post(ash, week_of_23rd)
    post(sam, week_of_23rd)  # the team is not counted
    # Weeks start at midnight on Monday, London time (BST until 25 October).
    post(river, datetime(2026, 10, 11, 22, 30, tzinfo=UTC))  # Sunday 23:30: before
    post(ash, datetime(2026, 10, 11, 23, 30, tzinfo=UTC))  # Monday 12 October 00:30
    post(river, MONDAY_10AM - timedelta(hours=1))
    frozen_clock.now = MONDAY_10AM
    _wall_message(robin, MONDAY_10AM - timedelta(minutes=1))
    sign_in(client, "dr_lee")
    html = page(client)
    rows = table(html, "Members and carers who wrote something, week by week")
    assert rows[0] == ["Week", "Members", "Carers"]
    assert rows[1:] == [
        ["Week of 12 October 2026", "0", "1"],
        ["Week of 19 October 2026", "0", "0"],
        ["Week of 26 October 2026", "0", "0"],
        ["Week of 2 November 2026", "0", "0"],
        ["Week of 9 November 2026", "0", "0"],
        ["Week of 16 November 2026", "0", "0"],
        ["Week of 23 November 2026", "1", "1"],
        ["Week of 30 November 2026 (so far)", "2", "0"],
    ]
    assert "no log of sign-ins" in _cells(html)
    people_chart = next(svg for svg in re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
                        if "Members and carers" in svg)
    assert ">Members</text>" in people_chart and ">Carers</text>" in people_chart
