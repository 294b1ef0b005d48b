"""Every kind of page, checked in Chromium with axe-core against WCAG 2.2 A and AA rules.

Automated rules catch only part of WCAG (contrast, names, labels, landmarks, ARIA); the
journeys in the other browser tests cover keyboard use and live announcements.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Network
from sharon.permissions import operator
from sharon.sanctions import services as sanctions
from tests.forums.conftest import add_reply, make_category, start_thread
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page, path: str) -> list[str]:
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
    make_user(username="boss", role="admin")
    thread = start_thread(river, space, title="Evening walks", body="**Walking** helps me",
                          note="mentions a hard day")
    ash = make_user(username="ash")
    add_reply(ash, thread, "Same here, and @river thank you")
    # The queue with a risk flag on it, and a warning waiting on river's account page.
    start_thread(ash, space, title="Lately", body="Some days I wish I was dead")
    with operator():
        sanctions.give(None, river, "warn", "Please keep names out of posts.")
    db.session.commit()
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
                 "/account/data/delete", "/welcome", "/help/formatting"):
        found += violations(member, path)
    admin = signed_in(browser, live, "boss")
    for path in ("/moderation/", "/moderation/dashboard", f"/moderation/people/{river.id}",
                 "/moderation/words", "/moderation/audit",
                 "/moderation/audit?since=yesterday", "/invitations/", "/invitations/new",
                 "/admin/people", "/admin/people/new", "/admin/networks",
                 "/forums/manage/categories", "/library/manage/", "/wall/sessions",
                 "/wall/hours", f"/forums/t/{thread.id}"):
        found += violations(admin, path)
    assert found == []
