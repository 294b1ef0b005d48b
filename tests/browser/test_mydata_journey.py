"""In a real browser: a member downloads their data, deletes their account, and can no
longer sign in."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.forums.conftest import make_category, start_thread
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_download_then_delete_then_cannot_sign_in(page, app, make_user, tmp_path):
    from sharon.extensions import db
    from sharon.models import Network

    river = make_user(username="river")
    space = make_category(db.session.query(Network).first(), "Staying well")
    start_thread(river, space, title="Evening walks", body="Walking helps me")
    page.goto("/sign-in")
    page.get_by_label("Username").fill("river")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hello, river").wait_for()

    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Your data: download or delete").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your data"
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download your data").click()
    download = downloading.value
    assert download.suggested_filename.startswith("sharon-data-river-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        posts = json.loads(archive.read("forums/posts.json"))
    assert [p["text"] for p in posts] == ["Walking helps me"]

    page.get_by_role("link", name="Delete your account").click()
    page.get_by_label("Keep my forum posts and Wall messages").check()
    page.get_by_label("Type your username").fill("river")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    assert "Your account has been deleted" in page.locator(".flashes").inner_text()

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("river")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The refusal, once the answer has arrived (content() alone could read the page mid-load).
    assert "That username and password do not match" in page.get_by_role("alert").first.inner_text()
