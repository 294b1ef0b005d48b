"""Two browsers at once, a member and a moderator: post, risk alert, hide, mute, closing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharon.extensions import db
from sharon.infra import clock
from sharon.models import WallHours, WallSession
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, username):  # type: ignore[no-untyped-def]
    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_member_and_a_moderator_on_the_wall(browser, live, page, app, make_user):
    make_user(username="robin")
    make_user(username="sam_peer", role="peer_supporter")
    # Only this session opens the Wall, so that ending it closes the Wall at any hour
    # (inside the weekly hours it would otherwise stay open).
    db.session.execute(sa.delete(WallHours))
    db.session.add(WallSession(starts_at=clock.now() - timedelta(minutes=1),
                               ends_at=clock.now() + timedelta(hours=1)))
    db.session.commit()

    member = page
    team_context = browser.new_context(base_url=live)
    team_context.set_default_timeout(10_000)
    moderator = team_context.new_page()
    try:
        sign_in(member, "robin")
        sign_in(moderator, "sam_peer")
        member.goto("/wall/")
        moderator.goto("/wall/")
        expect(member.locator("#wall-status")).to_contain_text("The Wall is open")

        # The moderator goes on duty from the keyboard; the member sees who is on duty.
        moderator.get_by_role("button", name="Go on duty").focus()
        moderator.keyboard.press("Enter")
        expect(member.locator("#wall-on-duty")).to_contain_text("sam_peer")
        expect(member.locator("#wall-on-duty")).to_contain_text("peer supporter")
        expect(moderator.get_by_role("button", name="Go off duty")).to_have_attribute(
            "aria-pressed", "true")

        # The member posts; both see it; the moderator's screen reader hears it.
        member.get_by_label("Your message").fill("<b>Hello</b> everyone")
        member.get_by_role("button", name="Post").click()
        expect(moderator.locator("#wall-messages")).to_contain_text("<b>Hello</b> everyone")
        expect(moderator.locator("#wall-announcer")).to_contain_text(
            "New message from robin: <b>Hello</b> everyone")
        assert moderator.locator("#wall-messages b").count() == 0
        expect(member.get_by_label("Your message")).to_have_value("")

        # A risky message: crisis contacts for the member, an alert to acknowledge.
        member.get_by_label("Your message").fill("I want to end my life")
        member.get_by_role("button", name="Post").click()
        expect(member.locator("#wall-notices")).to_contain_text("Samaritans")
        alert = moderator.locator(".wall-alert")
        expect(alert).to_contain_text("Urgent: possible risk from robin")
        expect(moderator.locator("#wall-held")).to_contain_text("I want to end my life")
        # Held: it stays on its author's screen, marked as waiting; nobody else sees it.
        expect(member.locator("#wall-messages .is-waiting")).to_contain_text(
            "Waiting for the team")
        expect(moderator.locator("#wall-messages")).not_to_contain_text("end my life")
        moderator.get_by_role("button", name="Acknowledge the alert about robin").click()
        expect(alert).to_have_count(0)

        # Hide, from the message's one Actions button: it disappears from the member's Wall.
        hello = moderator.locator("#wall-messages .wall-message", has_text="everyone")
        hello.get_by_role("button", name=re.compile("^Actions for the message from robin")).click()
        hello.get_by_role("button", name="Hide message from robin").click()
        expect(member.locator("#wall-messages")).not_to_contain_text("everyone")
        expect(moderator.locator("#wall-hidden")).to_contain_text("Hello")

        # Mute: the member is told, with the reason and the time.
        member.get_by_label("Your message").fill("Sorry about that")
        member.get_by_role("button", name="Post").click()
        expect(moderator.locator("#wall-messages")).to_contain_text("Sorry about that")
        sorry = moderator.locator("#wall-messages .wall-message", has_text="Sorry about that")
        sorry.get_by_role("button", name=re.compile("^Actions for the message from robin")).click()
        sorry.get_by_role("button", name=re.compile("^Mute robin$")).click()
        moderator.get_by_label("For how long").select_option("10")
        moderator.get_by_label("Reason (they are shown it)").fill("Let's take a breather")
        moderator.get_by_role("button", name="Mute", exact=True).click()
        expect(member.locator("#wall-notices")).to_contain_text("Let's take a breather")
        expect(member.locator("#wall-notices")).to_contain_text("10 minutes")
        member.get_by_label("Your message").fill("But why?")
        member.get_by_role("button", name="Post").click()
        expect(member.locator("#wall-notices")).to_contain_text("paused your posting")
        # Lifting the mute early: the member is told and can post again.
        sorry.get_by_role("button", name=re.compile("^Actions for the message from robin")).click()
        sorry.get_by_role("button", name=re.compile("^Mute robin$")).click()
        moderator.get_by_role("button", name="Lift a mute early").click()
        expect(member.locator("#wall-notices")).to_contain_text("you can post on the Wall again")
        member.get_by_label("Your message").fill("Thanks, I'm calmer now")
        member.get_by_role("button", name="Post").click()
        expect(moderator.locator("#wall-messages")).to_contain_text("Thanks, I'm calmer now")

        # Closing: the session ends; both pages are told, with no reload.
        db.session.execute(sa.update(WallSession).values(
            ends_at=clock.now() + timedelta(seconds=1)))
        db.session.commit()
        expect(member.locator("#wall-status")).to_contain_text("The Wall is closed",
                                                               timeout=12_000)
        expect(moderator.locator("#wall-status")).to_contain_text("The Wall is closed")
        # No message box that cannot send: when it opens again and what to do meanwhile.
        expect(member.get_by_role("button", name="Post")).to_have_count(0)
        expect(member.get_by_label("Your message")).to_have_count(0)
        closed = member.locator("#wall-closed")
        expect(closed).to_be_visible()
        expect(closed.get_by_role("link", name="Ask the team")).to_be_visible()
        expect(member.locator("#wall-announcer")).to_contain_text("The Wall is now closed")
    finally:
        team_context.close()


def test_without_javascript_the_wall_is_readable(browser, live, app, make_user):
    make_user(username="robin")
    db.session.execute(sa.delete(WallHours))  # closed, whatever the hour
    db.session.commit()
    context = browser.new_context(base_url=live, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "robin")
        page.goto("/wall/")
        expect(page.get_by_role("heading", level=1)).to_have_text("The Wall")
        # Closed: when it opens and what to do meanwhile; no message box, no note on posting.
        expect(page.locator("#wall-closed")).to_be_visible()
        expect(page.get_by_text("To post, please turn on JavaScript")).to_have_count(0)
        expect(page.get_by_label("Your message")).to_have_count(0)
        # Open: readable, and it says posting needs JavaScript (the server keeps its
        # calendar for a few seconds, so the page is asked again until it has the session).
        db.session.add(WallSession(starts_at=clock.now() - timedelta(minutes=1),
                                   ends_at=clock.now() + timedelta(hours=1)))
        db.session.commit()
        note = page.get_by_text("To post, please turn on JavaScript")
        for _ in range(40):
            page.goto("/wall/")
            if note.count():
                break
            page.wait_for_timeout(250)
        expect(note).to_be_visible()
        expect(page.get_by_label("Your message")).to_have_count(0)
    finally:
        context.close()
