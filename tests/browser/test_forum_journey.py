"""In a real browser: start a thread, reply, react, report and search."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Network, Report
from tests.browser.pages import sign_in
from tests.forums.conftest import make_category

pytestmark = pytest.mark.browser




def test_post_reply_react_report_search(browser, live, app, make_user):
    network = db.session.scalars(sa.select(Network)).first()
    make_category(network, "Staying well day to day")
    make_user(username="river")
    make_user(username="ash")

    river = browser.new_context(base_url=live).new_page()
    sign_in(river, "river")
    river.get_by_role("navigation", name="Main").get_by_role("link", name="Forums").click()
    river.get_by_role("link", name="Staying well day to day").click()
    river.get_by_role("link", name="Start a new thread").click()
    river.get_by_label("Title").fill("Evening walks help me unwind")
    river.get_by_label("Sharing a small win").check()
    river.get_by_label("Your message").fill("I walked by the *canal* tonight.")
    river.get_by_role("button", name="Post thread").click()
    river.get_by_role("heading", level=1, name="Evening walks help me unwind").wait_for()
    assert river.locator(".post-body em").inner_text() == "canal"

    ash = browser.new_context(base_url=live).new_page()
    sign_in(ash, "ash")
    ash.goto("/forums/search?q=canal")
    result = ash.get_by_role("link", name="Evening walks help me unwind")
    assert ash.locator(".snippet mark").first.inner_text().lower() == "canal"
    result.click()
    ash.get_by_role("button", name=re.compile("^Sending support")).click()
    assert ash.get_by_role("button", name=re.compile("^Sending support")).get_attribute(
        "aria-pressed") == "true"
    assert "1" in ash.get_by_role("button", name=re.compile("^Sending support")).inner_text()
    ash.get_by_label("Your reply").fill("That sounds **lovely**, well done!")
    ash.get_by_role("button", name="Post reply").click()
    ash.locator(".post-body strong", has_text="lovely").wait_for()

    river.reload()
    assert "That sounds" in river.content()
    river.get_by_role("link", name=re.compile("^Report")).click()
    river.get_by_label("It's spam or advertising").check()
    river.get_by_role("button", name="Send report").click()
    river.get_by_text("Thank you for your report").wait_for()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1
    river.get_by_role("link", name="Notifications 1 unread").click()
    assert "ash replied in “Evening walks help me unwind”" in river.locator("main").inner_text()
    if shots := __import__("os").environ.get("SHARON_SCREENSHOTS"):
        river.goto("/forums/t/1")
        river.screenshot(path=f"{shots}/forum-thread.png", full_page=True)
