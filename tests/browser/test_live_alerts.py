"""In a real browser: a risky forum post alerts a moderator live, on whatever page they
have open, and the count beside "Moderation" goes up."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharon.extensions import db
from sharon.models import Network
from tests.browser.pages import sign_in
from tests.forums.conftest import make_category

pytestmark = pytest.mark.browser




def test_a_risky_forum_post_alerts_a_moderator_live(browser, live, app, make_user):
    network = db.session.scalars(sa.select(Network)).first()
    make_category(network, "Staying well day to day")
    make_user(username="river")
    make_user(username="sam_peer", role="peer_supporter")

    team = browser.new_context(base_url=live)
    team.set_default_timeout(10_000)
    moderator = team.new_page()
    members = browser.new_context(base_url=live)
    members.set_default_timeout(10_000)
    member = members.new_page()
    try:
        sign_in(moderator, "sam_peer")
        moderator.goto("/library/")  # any page: not the Wall's, not the queue
        expect(moderator.locator("#nav-urgent")).to_be_hidden()

        sign_in(member, "river")
        member.goto("/forums/")
        member.get_by_role("link", name="Staying well day to day").click()
        member.get_by_role("link", name="Start a new thread").click()
        member.get_by_label("Title").fill("Tonight")
        member.get_by_label("Looking for support").check()
        member.get_by_label("Your message").fill("I can't keep myself safe tonight")
        member.get_by_role("button", name="Post thread").click()
        expect(member.locator(".flash-crisis")).to_contain_text("Samaritans")

        alert = moderator.locator(".live-alert")
        expect(alert).to_contain_text("Urgent: possible risk in the forums from river")
        expect(alert).to_contain_text("I can't keep myself safe tonight")
        expect(moderator.locator("#nav-urgent")).to_contain_text("1")
        alert.get_by_role("link", name="Open it").click()
        expect(moderator.get_by_role("heading", name="Tonight")).to_be_visible()
    finally:
        team.close()
        members.close()
