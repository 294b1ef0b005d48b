"""The Wall fits on a screen (issue 15): a long session keeps the page short and loads
earlier messages on request, the message box is a few key presses away, each message has
one Actions button, pinned messages have their own place at the top, times read one way,
and a closed Wall has no message box at all.

Set SHARON_SCREENSHOTS to a folder to keep screenshots of the open and closed Wall at
1280 and 375 pixels wide.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharon.content import render_plain
from sharon.extensions import db
from sharon.infra import clock
from sharon.models import WallHours, WallMessage, WallSession
from sharon.wall import services
from sharon.wall.hours import LONDON
from sharon.wall.times import message_time, opening_words
from tests.browser.pages import sign_in
from tests.browser.test_accessibility import AXE, TAGS
from tests.wall.live import LiveClient

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}
NARROW = {"width": 320, "height": 640}  # 1280 pixels at 400% zoom

WORDS = [
    "Morning all. Slept badly but I did the breathing exercise and it helped a bit.",
    "Good to see you here. Small steps still count.",
    "Has anyone tried the walking group on Thursdays? I am nervous about going on my own.",
    "I went last week. Everyone was kind, and nobody minded that I was quiet.",
    "Thank you, that helps. I might try it.",
]


def shoot(page, name: str, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Keep a screenshot when SHARON_SCREENSHOTS names a folder (for people to look at)."""
    folder = os.environ.get("SHARON_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def wall_open_for_an_hour() -> None:
    """Only this session opens the Wall, so the test runs at any hour of any day."""
    db.session.execute(sa.delete(WallHours))
    db.session.add(WallSession(starts_at=clock.now() - timedelta(minutes=1),
                               ends_at=clock.now() + timedelta(hours=1)))
    db.session.commit()


def wall_closed() -> None:
    db.session.execute(sa.delete(WallHours))
    db.session.commit()


def seed_session(authors, count: int, span: timedelta, end=None) -> list[WallMessage]:  # type: ignore[no-untyped-def]
    """`count` visible messages spread over `span` up to a minute before `end` (now),
    numbered as the Wall numbers its changes."""
    start = (end or clock.now()) - span
    step = span / count
    messages = []
    for n in range(count):
        body = f"{WORDS[n % len(WORDS)]} ({n + 1})"
        message = WallMessage(author=authors[n % len(authors)], body=body,
                              body_html=str(render_plain(body)), status="visible",
                              created_at=start + step * n - timedelta(minutes=1),
                              pinned=False, seq=services.next_seq())
        db.session.add(message)
        messages.append(message)
    db.session.commit()
    return messages


def uk_midnight() -> datetime:
    """The start of today in the UK."""
    return datetime.combine(clock.now().astimezone(LONDON).date(), time(0), LONDON)


def page_height(page) -> int:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollHeight")


def focused(page) -> str:  # type: ignore[no-untyped-def]
    """The focused element, as "tag#id" and its text."""
    return page.evaluate("(() => { const e = document.activeElement;"
                         " return e.tagName.toLowerCase() + '#' + e.id + ' ' +"
                         " (e.textContent || '').trim().slice(0, 60); })()")


def test_a_300_message_session_keeps_the_page_short(browser, live, app, make_user):
    robin = make_user(username="robin")
    others = [make_user(username=name) for name in ("ash", "river", "kai")]
    team = [make_user(username=f"peer_{n}", role="peer_supporter") for n in range(6)]
    wall_open_for_an_hour()
    # Yesterday's session, then the latest page today: both kinds of time on the page.
    authors = [robin, *others, team[0]]
    messages = seed_session(authors, 300 - services.PAGE, timedelta(hours=8),
                            end=uk_midnight() - timedelta(hours=6))
    messages += seed_session(authors, services.PAGE, timedelta(minutes=30))
    pinned = messages[4]
    pinned.pinned = True
    pinned.body = "House rules: be kind, no names of clinicians, and use the crisis numbers."
    pinned.body_html = str(render_plain(pinned.body))
    pinned.seq = services.next_seq()
    db.session.commit()
    ids = [m.id for m in messages]
    times = {m.id: m.created_at for m in messages}

    context = browser.new_context(base_url=live, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    clients = []
    try:
        sign_in(page, "robin")
        page.goto("/wall/")
        expect(page.get_by_label("Your message")).to_be_visible()
        shown = page.locator("#wall-messages .wall-message")
        expect(shown).to_have_count(services.PAGE)
        shoot(page, "open-1280")
        shoot(page, "open-1280-screen", full_page=False)
        assert page_height(page) < 2.5 * DESKTOP["height"], page_height(page)
        # The latest page, and nothing older but the pinned message, in its own area.
        assert shown.first.get_attribute("id") == f"message-{ids[-services.PAGE]}"
        expect(page.locator("#wall-pinned")).to_contain_text("House rules: be kind")
        expect(page.locator(f"#message-{pinned.id}")).to_have_count(0)
        # One time format, the same on the server and in wall.js.
        for message_id in (ids[-1], ids[-services.PAGE]):
            expect(page.locator(f"#message-{message_id} time")).to_have_text(
                message_time(times[message_id]))

        # Earlier messages load above, focus goes to the first of them, and it is said.
        page.get_by_role("button", name="Show earlier messages").click()
        expect(shown).to_have_count(2 * services.PAGE)
        first_new = ids[-2 * services.PAGE]
        expect(page.locator(f"#message-{first_new}")).to_be_focused()
        expect(page.locator("#wall-announcer")).to_contain_text(
            f"{services.PAGE} earlier messages shown")
        assert shown.first.get_attribute("id") == f"message-{first_new}"
        # wall.js wrote these, from yesterday: "Sun 6 Dec, 15:16", as the server would.
        for message_id in (first_new, ids[-services.PAGE - 1]):
            written = message_time(times[message_id])
            assert re.fullmatch(r"\w{3} \d{1,2} \w{3}( \d{4})?, \d\d:\d\d", written), written
            expect(page.locator(f"#message-{message_id} time")).to_have_text(written)
        # Keyboard: back to the button, and once more.
        page.keyboard.press("Shift+Tab")
        expect(page.get_by_role("button", name="Show earlier messages")).to_be_focused()
        page.keyboard.press("Enter")
        expect(shown).to_have_count(3 * services.PAGE)

        # Back in the message box, the reader follows the live end while 30 more arrive:
        # the oldest drop off again (never one that holds focus).
        page.get_by_label("Your message").focus()
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        clients = [LiveClient(live, f"peer_{n}") for n in range(6)]
        for n in range(5):
            for k, client in enumerate(clients):
                assert client.emit("send", {"body": f"Live message {n}-{k}"})["ok"]
        expect(page.locator("#wall-messages")).to_contain_text("Live message 4-5",
                                                               timeout=15_000)
        expect(page.locator("#wall-announcer")).to_contain_text("New message from peer_5")
        # wall.js wrote this one, from today: "08:15".
        expect(page.locator("#wall-messages .wall-message", has_text="Live message 4-5")
               .locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
        expect(shown).to_have_count(services.PAGE)
        assert page_height(page) < 2.5 * DESKTOP["height"], page_height(page)
        expect(page.get_by_role("button", name="Show earlier messages")).to_be_attached()
    finally:
        for client in clients:
            client.close()
        context.close()


def test_keyboard_only_a_member_reaches_the_box_and_sends(browser, live, app, make_user):
    make_user(username="robin")
    make_user(username="sam_peer", role="peer_supporter")
    wall_open_for_an_hour()
    context = browser.new_context(base_url=live, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sam = None
    try:
        sam = LiveClient(live, "sam_peer")
        assert sam.emit("duty", {"on": True})["ok"]
        sign_in(page, "robin")
        page.goto("/wall/")
        box = page.get_by_label("Your message")
        expect(box).to_be_visible()
        presses = 0
        while presses < 5:
            page.keyboard.press("Tab")
            presses += 1
            if "Skip to the message box" in focused(page):
                page.keyboard.press("Enter")
                break
        expect(box).to_be_focused()
        assert presses <= 5, presses
        page.keyboard.type("Hello, typed with the keyboard only")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Post")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#wall-messages")).to_contain_text(
            "Hello, typed with the keyboard only")
        expect(box).to_have_value("")
        expect(box).to_be_focused()
        expect(page.locator("#wall-announcer")).to_contain_text("Your message is posted")
        # Ctrl+Enter sends too.
        page.keyboard.type("And with Ctrl and Enter")
        page.keyboard.press("Control+Enter")
        expect(page.locator("#wall-messages")).to_contain_text("And with Ctrl and Enter")
        assert sam.wait_for("message", lambda m: m["body"] == "And with Ctrl and Enter")
    finally:
        if sam:
            sam.close()
        context.close()


def test_each_message_has_one_actions_menu(browser, live, app, make_user):
    robin = make_user(username="robin")
    sam = make_user(username="sam_peer", role="peer_supporter")
    wall_open_for_an_hour()
    seed_session([robin, make_user(username="ash"), sam], 8, timedelta(minutes=40))

    moderator_context = browser.new_context(base_url=live, viewport=DESKTOP)
    moderator_context.set_default_timeout(10_000)
    member_context = browser.new_context(base_url=live, viewport=DESKTOP)
    member_context.set_default_timeout(10_000)
    moderator, member = moderator_context.new_page(), member_context.new_page()
    try:
        sign_in(moderator, "sam_peer")
        sign_in(member, "robin")
        moderator.goto("/wall/")
        member.goto("/wall/")
        expect(moderator.get_by_label("Your message")).to_be_visible()
        messages = moderator.locator("#wall-messages .wall-message")
        expect(messages).to_have_count(8)
        # One button per message, and nothing else on it.
        expect(moderator.locator("#wall-messages .wall-actions-toggle")).to_have_count(8)
        expect(moderator.get_by_role("button", name=re.compile("^Hide"))).to_have_count(0)
        last = messages.last
        toggle = last.get_by_role("button", name=re.compile("^Actions for the message from"))
        panel_id = toggle.get_attribute("aria-controls")
        expect(moderator.locator(f"#{panel_id}")).to_be_hidden()
        # From the keyboard: open, move, close with Escape, focus back on the button.
        toggle.focus()
        moderator.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(moderator.locator(f"#{panel_id}")).to_be_visible()
        expect(last.get_by_role("button", name=re.compile("^Reply to"))).to_be_focused()
        moderator.keyboard.press("ArrowDown")
        expect(last.get_by_role("button", name=re.compile("^Hide message from"))).to_be_focused()
        moderator.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(toggle).to_be_focused()
        expect(moderator.locator(f"#{panel_id}")).to_be_hidden()
        # A focused button is never hidden behind the message box at the bottom.
        toggle_box = toggle.bounding_box()
        compose_box = moderator.locator("#wall-compose-area").bounding_box()
        assert toggle_box["y"] + toggle_box["height"] <= compose_box["y"] + 1, \
            (toggle_box, compose_box)

        # Pin from the menu: the message goes into the pinned area at the top, for everyone.
        first = messages.first
        first_id = first.get_attribute("data-id")
        first.get_by_role("button", name=re.compile("^Actions")).click()
        first.get_by_role("button", name=re.compile("^Pin message from")).click()
        # (Live, through the server: a little longer than a page's own changes may take.)
        expect(member.locator(f"#pinned-{first_id}")).to_be_visible(timeout=15_000)
        expect(member.locator(f"#message-{first_id} .wall-pinned-tag")).to_have_text("Pinned")
        expect(moderator.locator(f"#pinned-{first_id}")).to_be_visible()
        # A member's menu holds only Reply, which opens the message box as a reply.
        member_last = member.locator("#wall-messages .wall-message").last
        member_last.get_by_role("button", name=re.compile("^Actions")).click()
        items = member_last.locator(".wall-actions-menu li:not([hidden])")
        expect(items).to_have_count(1)
        member_last.get_by_role("button", name=re.compile("^Reply to")).click()
        expect(member.locator("#wall-replying")).to_contain_text("Replying to")
        expect(member.get_by_label("Your message")).to_be_focused()

        moderator.get_by_role("button", name="Go on duty").click()
        expect(moderator.get_by_role("button", name="Go off duty")).to_be_visible()
        messages.nth(2).get_by_role("button", name=re.compile("^Actions")).click()
        shoot(moderator, "open-1280-team-menu", full_page=False)
        moderator.keyboard.press("Escape")
        for name, page in (("open-1280-member", member), ("open-1280-team", moderator)):
            page.evaluate("window.scrollTo(0, 0)")
            shoot(page, name, full_page=False)
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            shoot(page, f"{name}-bottom", full_page=False)
        member.set_viewport_size(PHONE)
        member.evaluate("window.scrollTo(0, 0)")
        shoot(member, "open-375-member", full_page=False)
        member.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        shoot(member, "open-375-member-bottom", full_page=False)
        shoot(member, "open-375-member-whole")

        # Unpin: out of the pinned area again.
        moderator.locator(f"#pinned-{first_id}").get_by_role(
            "button", name=re.compile("^Actions")).click()
        moderator.locator(f"#pinned-{first_id}").get_by_role(
            "button", name=re.compile("^Unpin message from")).click()
        expect(member.locator(f"#pinned-{first_id}")).to_have_count(0, timeout=15_000)
        expect(member.locator("#wall-pinned")).to_be_hidden()
    finally:
        moderator_context.close()
        member_context.close()


def test_a_closed_wall_has_no_message_box_until_it_opens(browser, live, app, make_user):
    make_user(username="robin")
    wall_closed()
    # An extra session soon: the page says when, then the Wall opens while it is shown.
    opens = clock.now() + timedelta(seconds=12)
    db.session.add(WallSession(starts_at=opens, ends_at=opens + timedelta(hours=1)))
    db.session.commit()
    context = browser.new_context(base_url=live, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, "robin")
        page.goto("/wall/")
        closed = page.locator("#wall-closed")
        expect(closed).to_be_visible()
        expect(closed).to_contain_text("The Wall is closed just now")
        expect(closed).to_contain_text(f"It opens again {opening_words(opens)}.")
        for link in ("Talk in the forums", "Ask the team", "Get urgent help"):
            expect(closed.get_by_role("link", name=link)).to_be_visible()
        expect(page.locator("textarea")).to_have_count(0)
        expect(page.get_by_role("button", name="Post")).to_have_count(0)
        expect(page.get_by_role("link", name="Skip to the message box")).to_have_count(0)
        shoot(page, "closed-1280")
        page.set_viewport_size(PHONE)
        shoot(page, "closed-375")
        page.set_viewport_size(DESKTOP)

        box = page.get_by_label("Your message")
        expect(box).to_be_visible(timeout=25_000)
        expect(closed).to_be_hidden()
        expect(page.get_by_role("button", name="Post")).to_be_enabled()
        expect(page.locator("#wall-announcer")).to_contain_text("The Wall is now open")
        expect(page.get_by_role("link", name="Skip to the message box")).to_have_count(1)
    finally:
        context.close()


def axe_violations(page, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2.2 A and AA rules on the page as it stands (menus open and all)."""
    page.evaluate(AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return [f"{where}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"]]


def reflow_problems(page, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    """At 320 CSS pixels wide (1280 at 400% zoom) nothing may need sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= 320:
        return []
    wide = page.evaluate("""Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > 321 && e.getClientRects().length)
        .slice(0, 3).map(e => e.tagName + '#' + e.id + '.' + e.className)""")
    return [f"{where}: {width} px wide at 320 ({', '.join(wide)})"]


def test_the_wall_meets_wcag_aa_rules_and_reflows(browser, live, app, make_user):
    robin = make_user(username="robin")
    sam = make_user(username="sam_peer", role="peer_supporter")
    wall_open_for_an_hour()
    messages = seed_session([robin, make_user(username="ash"), sam], 30, timedelta(hours=3))
    messages[3].pinned = True
    messages[3].seq = services.next_seq()
    db.session.commit()
    found: list[str] = []
    contexts = []
    try:
        for username in ("robin", "sam_peer"):
            context = browser.new_context(base_url=live, viewport=DESKTOP, bypass_csp=True)
            context.set_default_timeout(10_000)
            contexts.append(context)
            page = context.new_page()
            sign_in(page, username)
            page.goto("/wall/")
            expect(page.get_by_label("Your message")).to_be_visible()
            found += axe_violations(page, f"/wall/ ({username})")
            page.locator("#wall-messages .wall-actions-toggle").last.click()
            found += axe_violations(page, f"/wall/ with a menu open ({username})")
            page.keyboard.press("Escape")
            page.get_by_role("button", name="Show earlier messages").click()
            expect(page.locator("#wall-messages .wall-message")).to_have_count(2 * services.PAGE)
            found += axe_violations(page, f"/wall/ with earlier messages ({username})")
            for path in (f"/wall/earlier?before={messages[-1].id}",
                         f"/wall/earlier?after={messages[0].id}", "/wall/history"):
                page.goto(path)
                found += axe_violations(page, f"{path} ({username})")
            # Each page laid out afresh at 320 pixels wide, as a person zoomed in sees it.
            page.set_viewport_size(NARROW)
            for path in (f"/wall/earlier?before={messages[-1].id}", "/wall/history", "/wall/"):
                page.goto(path)
                found += reflow_problems(page, f"{path} ({username})")
            expect(page.get_by_label("Your message")).to_be_visible()
            page.locator("#wall-messages .wall-actions-toggle").last.click()
            found += reflow_problems(page, f"/wall/ with a menu open ({username})")
            page.set_viewport_size(DESKTOP)
        # Closed, for a member: no box, and what to do meanwhile.
        wall_closed()
        db.session.execute(sa.delete(WallSession))
        db.session.commit()
        page = contexts[0].pages[0]
        closed = page.locator("#wall-closed")
        for _ in range(40):  # the server keeps its calendar for a few seconds
            page.goto("/wall/")
            if closed.is_visible():
                break
            page.wait_for_timeout(250)
        expect(closed).to_be_visible()
        found += axe_violations(page, "/wall/ closed")
        page.set_viewport_size(NARROW)
        page.goto("/wall/")
        found += reflow_problems(page, "/wall/ closed")
    finally:
        for context in contexts:
            context.close()
    assert found == []
