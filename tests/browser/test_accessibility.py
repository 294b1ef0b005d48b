"""Every kind of page, checked in Chromium with axe-core against WCAG 2.2 A and AA rules.

Automated rules catch only part of WCAG (contrast, names, labels, landmarks, ARIA); the
journeys in the other browser tests cover keyboard use and live announcements.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.library import services as library
from sharon.models import Audience, Network, Post, ResourceKind
from sharon.permissions import operator
from sharon.sanctions import services as sanctions
from tests.forums.conftest import add_reply, make_category, start_thread
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page, path: str | None) -> list[str]:
    """axe's findings on `path`, or on the page as it is now when `path` is None."""
    if path is None:
        path = page.url
    else:
        page.goto(path)
    page.evaluate(AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           TAGS)
    return [f"{path}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"]]


def signed_in(browser, live, username):
    # axe is added to the page by the test, so this one context may bypass the CSP.
    page = browser.new_context(base_url=live, bypass_csp=True).new_page()
    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=f"Hello, {username}").wait_for()
    return page


def test_pages_meet_wcag_aa_rules(browser, live, app, make_user):
    network = db.session.scalars(sa.select(Network)).first()
    space = make_category(network, "Staying well")
    river = make_user(username="river")
    boss = make_user(username="boss", role="admin")
    thread = start_thread(river, space, title="Evening walks", body="**Walking** helps me",
                          note="mentions a hard day")
    ash = make_user(username="ash")
    add_reply(ash, thread, "Same here, and @river thank you")
    # The queue with a risk flag on it, and a warning waiting on river's account page.
    start_thread(ash, space, title="Lately", body="Some days I wish I was dead")
    with operator():
        sanctions.give(None, river, "warn", "Please keep names out of posts.")
    db.session.commit()
    blog = library.create(boss, ResourceKind.BLOG, library.ResourceInput(
        title="Sleep well", summary="About sleep.", body="## Routine\nSame time each night.",
        audience=Audience.BOTH, network_ids=[network.id], tags="sleep"))
    library.publish(boss, blog)
    db.session.commit()
    post_id = db.session.scalars(sa.select(Post).where(Post.thread_id == thread.id)).first().id
    anonymous = browser.new_context(base_url=live, bypass_csp=True).new_page()
    found = []
    for path in ("/", "/help/urgent", "/guidelines", "/sign-in", "/join", "/privacy",
                 "/accessibility", "/no-such-page", "/forgotten-password",
                 "/forgotten-password/sent", "/reset-password",
                 "/reset-password/no-such-link-no-such-link"):
        found += violations(anonymous, path)
    member = signed_in(browser, live, "river")
    for path in ("/forums/", f"/forums/c/{space.id}", f"/forums/t/{thread.id}",
                 "/forums/search?q=walking", "/forums/notifications", "/forums/muted-words",
                 f"/forums/c/{space.id}/new", "/library/", "/library/saved", "/wall/",
                 "/wall/history", "/account/", "/account/password", "/account/data/",
                 "/account/data/delete", "/welcome", "/help/formatting",
                 f"/library/{blog.id}", f"/forums/p/{post_id}/edit",
                 f"/forums/p/{post_id}/delete", f"/forums/p/{post_id}/report",
                 "/ask-the-team/", "/ask-the-team/new"):
        found += violations(member, path)
    # A form sent with mistakes: the error summary and the inline errors.
    member.goto("/account/password")
    member.get_by_role("button", name="Change password").click()
    found += violations(member, None)
    admin = signed_in(browser, live, "boss")
    for path in ("/moderation/", "/moderation/dashboard", f"/moderation/people/{river.id}",
                 "/moderation/words", "/moderation/audit",
                 "/moderation/audit?since=yesterday", "/invitations/", "/invitations/new",
                 "/admin/people", "/admin/people/new", "/admin/networks",
                 "/forums/manage/categories", "/library/manage/", "/wall/sessions",
                 "/wall/hours", f"/forums/t/{thread.id}", f"/admin/people/{river.id}",
                 "/library/manage/new/blog", f"/library/manage/{blog.id}/edit"):
        found += violations(admin, path)
    assert found == []


# One of each page kind, at the narrowest width WCAG 2.2 asks content to reflow to (1.4.10).
REFLOW = {
    None: ("/", "/help/urgent", "/sign-in", "/join", "/no-such-page"),
    "river": ("/", "/forums/", "/forums/c/{space}", "/forums/t/{thread}", "/library/",
              "/library/{blog}", "/wall/", "/account/", "/ask-the-team/", "/welcome",
              "/staying-well/", "/staying-well/plan", "/staying-well/check-in"),
    "boss": ("/moderation/", "/moderation/dashboard", "/moderation/audit", "/invitations/new",
             "/admin/people", "/admin/people/{river}", "/library/manage/"),
}


def test_every_page_kind_reflows_at_320_pixels(browser, live, app, make_user):
    """No sideways scrolling at 320 CSS pixels. With SHARON_SCREENSHOTS set to a folder,
    also saves each page at 1280 and 375 pixels wide, for a person to look at."""
    network = db.session.scalars(sa.select(Network)).first()
    space = make_category(network, "Staying well")
    river = make_user(username="river")
    boss = make_user(username="boss", role="admin")
    thread = start_thread(river, space, title="Evening walks", body="A long walk helps me")
    ash = make_user(username="ash")
    add_reply(ash, thread, "Same here")
    start_thread(ash, space, title="Lately", body="Some days I wish I was dead")  # a queue card
    blog = library.create(boss, ResourceKind.BLOG, library.ResourceInput(
        title="Sleep well", summary="About sleep.", body="Same time each night.",
        audience=Audience.BOTH, network_ids=[network.id], tags="sleep"))
    library.publish(boss, blog)
    db.session.commit()
    ids = {"space": space.id, "thread": thread.id, "blog": blog.id, "river": river.id}
    shots = os.environ.get("SHARON_SCREENSHOTS")
    too_wide = []
    for who, paths in REFLOW.items():
        page = (signed_in(browser, live, who) if who
                else browser.new_context(base_url=live).new_page())
        for path in (p.format(**ids) for p in paths):
            page.set_viewport_size({"width": 320, "height": 640})
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                too_wide.append(f"{who or 'visitor'} {path}: {width} px")
            if shots:
                name = f"{who or 'visitor'}{path}".strip("/").replace("/", "_") or "home"
                for size in (1280, 375):
                    page.set_viewport_size({"width": size, "height": 900})
                    page.reload()  # drawn at this width, as a person arriving would see it
                    page.screenshot(path=f"{shots}/{name}-{size}.png", full_page=True)
    assert too_wide == []

