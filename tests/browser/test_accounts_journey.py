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
    # A first week that guides: joining lands on the welcome page.
    assert page.get_by_role("heading", level=1).inner_text() == "Getting started on SHaRON"
    assert "Welcome to SHaRON, quiet_otter" in page.locator(".flashes").inner_text()
    page.get_by_role("link", name="SHaRON").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, quiet_otter"

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Staying well, together"

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").click()
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


def _sign_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_clinician_issues_a_reset_code_and_the_member_uses_it(browser, live, page, app,
                                                                make_user):
    from tests.helpers import PASSWORD

    make_user(username="dr_lee", role="clinician")
    river = make_user(username="river")
    clinician = browser.new_context(base_url=live).new_page()
    _sign_in(clinician, "dr_lee", PASSWORD)
    clinician.goto(f"/admin/people/{river.id}")
    clinician.get_by_role("button", name="Issue a reset code").click()
    panel = clinician.get_by_role("status")
    assert "This is the only time the code is shown" in panel.inner_text()
    code = clinician.locator("#reset-code").inner_text().strip()

    page.goto("/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_role("link", name="enter your reset code and choose a new password").click()
    page.get_by_label("Your username").fill("river")
    page.get_by_label("Reset code").fill(code.lower())
    page.get_by_label("New password", exact=True).fill("lantern meadow pebble")
    page.get_by_label("Type your new password again").fill("lantern meadow pebble")
    page.get_by_role("button", name="Change my password").click()
    assert "Your password has been changed" in page.locator(".flashes").inner_text()

    page.get_by_label("Username").fill("river")
    page.get_by_label("Password").fill("lantern meadow pebble")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, river"


def test_a_link_sent_by_mail_from_the_real_server(browser, app, make_user, database_url,
                                                  tmp_path):
    """Under eventlet, as served: the mail goes out from a green thread, and its link works."""
    from tests.auth.fake_smtp import fake_smtp
    from tests.live_server import live_server

    make_user(username="river", email="river@example.org")
    with fake_smtp() as smtp, live_server(
            database_url, tmp_path, SHARON_SMTP_HOST="127.0.0.1",
            SHARON_SMTP_PORT=str(smtp.port), SHARON_MAIL_FROM="sharon@example.org",
            SHARON_SMTP_STARTTLS="off") as live:
        page = browser.new_context(base_url=live).new_page()
        page.goto("/forgotten-password")
        page.get_by_label("Your email address").fill("river@example.org")
        page.get_by_role("button", name="Send me a link").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
        [mail] = smtp.wait_for(1)
        link = re.search(r"(/reset-password/[A-Za-z0-9_-]+)", mail.get_content()).group(1)
        page.goto(link)
        page.get_by_label("New password", exact=True).fill("lantern meadow pebble")
        page.get_by_label("Type your new password again").fill("lantern meadow pebble")
        page.get_by_role("button", name="Change my password").click()
        _sign_in(page, "river", "lantern meadow pebble")
        assert page.get_by_role("heading", level=1).inner_text() == "Hello, river"
