"""In a real browser: staff publish a captioned video and a blog; a member finds, watches
(and seeks), saves and rates them."""

from __future__ import annotations

import time

import pytest

from tests.helpers import PASSWORD
from tests.library.conftest import DEMO, clinician, media_dir, member  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def live(database_url, tmp_path, media_dir):  # noqa: F811  # type: ignore[no-untyped-def]
    from tests.live_server import live_server

    with live_server(database_url, tmp_path, SHARON_MEDIA_DIR=str(media_dir)) as base:
        yield base


@pytest.fixture
def page(browser, live):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def wait_until(page, expression: str, timeout: float = 15) -> None:  # type: ignore[no-untyped-def]
    """Poll a JS expression (page.wait_for_function would need 'unsafe-eval' under our CSP)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Hello, {username}"


def test_staff_publish_and_a_member_watches_saves_and_rates(page, clinician, member):  # noqa: F811
    sign_in(page, "dr_ellis")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_role("link", name="Manage the library").click()

    # A blog.
    page.get_by_role("link", name="New blog post").click()
    page.get_by_label("Title").fill("When sleep goes wrong")
    page.get_by_label("Summary").fill("What to try on a bad night.")
    page.get_by_label("Body").fill("Get up after **twenty minutes** awake.")
    page.get_by_label("Tags").fill("sleep")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Publish now").click()
    assert "Published" in page.locator("#resource-state").inner_text()

    # A video: publishing is refused until captions are there.
    page.get_by_role("link", name="Manage the library").click()
    page.get_by_role("link", name="New video").click()
    page.get_by_label("Title").fill("Breathing space")
    page.get_by_label("Summary").fill("A minute to breathe.")
    page.get_by_label("Transcript").fill("Breathe in for four. Out for six.")
    page.get_by_label("Tags").fill("sleep, anxiety")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_label("Video file").set_input_files(str(DEMO / "breathing.mp4"))
    page.get_by_role("button", name="Upload video file").click()
    assert "The video file was uploaded" in page.locator(".flashes").inner_text()
    page.get_by_role("button", name="Publish now").click()
    assert "Upload captions" in page.get_by_role("alert").first.inner_text()
    page.get_by_label("Poster image").set_input_files(str(DEMO / "poster.png"))
    page.get_by_role("button", name="Upload poster image").click()
    page.get_by_label("Captions file").set_input_files(str(DEMO / "breathing.vtt"))
    page.get_by_role("button", name="Upload captions file").click()
    page.get_by_role("button", name="Publish now").click()
    assert "Published" in page.locator("#resource-state").inner_text()
    page.get_by_role("button", name="Sign out").click()

    # The member finds both, watches and seeks, saves and rates.
    sign_in(page, "sam")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_label("Show").select_option("video")
    page.get_by_role("button", name="Show resources").click()
    assert page.get_by_role("link", name="When sleep goes wrong").count() == 0
    page.get_by_role("link", name="Breathing space").click()

    ranges: list[int] = []
    page.on("response", lambda r: ranges.append(r.status) if "/media/video" in r.url else None)
    video = page.locator("video")
    wait_until(page, "(document.querySelector('video') || {}).readyState >= 1")
    assert page.evaluate("document.querySelector('video').textTracks[0].kind") == "captions"
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "showing"
    page.evaluate("document.querySelector('video').currentTime = 4")
    wait_until(page, "document.querySelector('video').readyState >= 2"
                     " && !document.querySelector('video').seeking"
                     " && Math.abs(document.querySelector('video').currentTime - 4) < 0.5")
    assert video.evaluate("v => v.seekable.end(0)") > 5
    assert "Breathe in for four." in page.locator(".transcript").inner_text()
    page.get_by_role("button", name="Save for later").click()
    page.get_by_role("button", name="Yes").click()
    assert "Thank you for telling us" in page.locator(".flashes").inner_text()
    assert "You said yes" in page.locator("#helped").inner_text()
    assert 206 in ranges  # the player asked for part of the file, and got it

    page.goto("/library/?tag=sleep")
    page.get_by_role("link", name="When sleep goes wrong").click()
    assert "twenty minutes" in page.locator(".resource-body").inner_text()
    page.get_by_role("button", name="Save for later").click()
    page.get_by_role("button", name="No").click()
    page.get_by_role("link", name="your saved resources").click()
    saved = page.get_by_role("main").inner_text()
    assert "When sleep goes wrong" in saved and "Breathing space" in saved
