"""What a person does in the browser, shared by the journeys."""

from __future__ import annotations

from tests.helpers import PASSWORD


def sign_in(page, username):  # type: ignore[no-untyped-def]
    """Sign in on the sign-in page and wait for the welcome."""
    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=f"Hello, {username}").wait_for()
