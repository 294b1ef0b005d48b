"""In a real browser: join with an invitation, sign out, sign in, reach help by keyboard."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_join_sign_out_sign_in(page, app, make_invitation):
    invitation = make_invitation()
    page.goto("/")
    page.get_by_role("link", name="Join with an invitation").click()
    page.get_by_label("Invitation code").fill(invitation.code)
    page.get_by_label("Choose a username").fill("quiet_otter")
    page.get_by_label("Create a password").fill("lantern meadow pebble")
    page.get_by_label("Type your password again").fill("lantern meadow pebble")
    page.get_by_label("I have read the community guidelines").check()
    page.get_by_role("button", name="Create my account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, quiet_otter"
    assert "Welcome to SHaRON, quiet_otter" in page.locator(".flashes").inner_text()

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Staying well, together"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("quiet_otter")
    page.get_by_label("Password").fill("lantern meadow pebble")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, quiet_otter"


def test_a_spent_code_shows_an_error_linked_to_the_field(page, app, make_invitation):
    from sharon.infra import clock

    invitation = make_invitation(revoked_at=clock.now())
    page.goto("/join")
    page.get_by_label("Invitation code").fill(invitation.code)
    page.get_by_label("Choose a username").fill("quiet_otter")
    page.get_by_label("Create a password").fill("lantern meadow pebble")
    page.get_by_label("Type your password again").fill("lantern meadow pebble")
    page.get_by_label("I have read the community guidelines").check()
    page.get_by_role("button", name="Create my account").click()
    summary = page.get_by_role("alert")
    assert "has been withdrawn" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "code"


def test_crisis_page_by_keyboard_alone(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Need urgent help?":
            break
    else:
        pytest.fail("the urgent help link was not reached by keyboard")
    # The focus indicator is visible: a yellow background.
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 235, 59)"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/help/urgent$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Get urgent help now"
    assert "Samaritans" in page.content()
