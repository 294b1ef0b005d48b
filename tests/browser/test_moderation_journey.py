"""In a real browser, with JavaScript off for the team: a peer supporter takes a risk flag
and escalates it, a clinician takes it, raises its level and closes it with what was
done; a clinician warns a member, who reads the warning before posting again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharon.extensions import db
from sharon.models import ModerationItem, Network
from tests.browser.pages import sign_in
from tests.forums.conftest import make_category, start_thread

pytestmark = pytest.mark.browser


def _context(browser, live, javascript: bool = False):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context


def test_a_risk_flag_worked_to_an_outcome_without_javascript(browser, live, app, make_user):
    network = db.session.scalars(sa.select(Network)).first()
    river = make_user(username="river")
    make_user(username="sam_peer", role="peer_supporter")
    make_user(username="dr_lee", role="clinician")
    start_thread(river, make_category(network, "Staying well"), title="Lately",
                 body="Some days I wish I was dead")
    peers, clinicians = _context(browser, live), _context(browser, live)
    try:
        sam = peers.new_page()
        sign_in(sam, "sam_peer")
        sam.get_by_role("link", name="Moderation").click()
        card = sam.locator(".queue-item").first
        expect(card).to_contain_text("Risk level medium.")
        card.get_by_role("button", name="Work on this").click()
        expect(sam.locator(".flash-success")).to_contain_text("It is yours")
        card = sam.locator(".queue-item").first
        expect(card).to_contain_text("You are working on this")
        card.get_by_label("What the clinicians should know (optional)").fill(
            "Has said this before")
        card.get_by_role("button", name="Escalate to a clinician").click()
        expect(sam.locator(".flash-success")).to_contain_text("the clinicians have been")

        lee = clinicians.new_page()
        sign_in(lee, "dr_lee")
        lee.goto("/moderation/")
        card = lee.locator(".queue-item").first
        # Escalating handed it to the clinicians: nobody holds it now.
        expect(card).to_contain_text("Escalated to the clinicians")
        expect(card).to_contain_text("Nobody is working on this yet.")
        card.get_by_role("button", name="Work on this").click()
        card = lee.locator(".queue-item").first
        card.get_by_label("Risk level").select_option("high")
        card.get_by_role("button", name="Change level").click()
        card = lee.locator(".queue-item").first
        expect(card).to_contain_text("a clinician sees it within 15 minutes")
        card.get_by_label("What was done").select_option(label="Member contacted")
        card.get_by_label("Note for the team (optional)").fill("Called river, safe plan")
        card.get_by_role("button", name="Close this item").click()
        expect(lee.locator(".flash-success")).to_contain_text("Closed")
        expect(lee.get_by_text("Nothing is waiting.")).to_be_visible()
        item = db.session.scalars(sa.select(ModerationItem)).one()
        db.session.refresh(item)
        assert (item.outcome, item.risk_level, item.handled_by.username) == (
            "member_contacted", "high", "dr_lee")
    finally:
        peers.close()
        clinicians.close()


def test_a_warned_member_reads_it_before_posting_again(browser, live, app, make_user):
    network = db.session.scalars(sa.select(Network)).first()
    river = make_user(username="river")
    make_user(username="dr_lee", role="clinician")
    thread = start_thread(river, make_category(network, "Staying well"), title="Hello all")
    team, members = _context(browser, live), _context(browser, live, javascript=True)
    try:
        lee = team.new_page()
        sign_in(lee, "dr_lee")
        lee.goto(f"/moderation/people/{river.id}")
        lee.get_by_label("Warn: a message they must read").check()
        lee.get_by_label("Reason, as the person will read it").fill(
            "Please keep other people's names out of your posts.")
        lee.get_by_role("button", name="Give this sanction").click()
        expect(lee.locator(".flash-success")).to_contain_text("river has been told why")
        expect(lee.locator("table")).to_contain_text("Please keep other people's names")

        member = members.new_page()
        sign_in(member, "river")
        member.goto(f"/forums/t/{thread.id}")
        member.get_by_label("Your reply").fill("Sorry, I will")
        member.get_by_role("button", name="Post reply").click()
        expect(member.locator("main")).to_contain_text("Please read it and confirm")
        member.get_by_role("link", name="Your account (river)").click()
        expect(member.locator(".callout-warning")).to_contain_text("other people's names")
        member.get_by_role("button", name="I have read this").click()
        expect(member.locator(".flash-success")).to_contain_text("You can post again")
        member.goto(f"/forums/t/{thread.id}")
        member.get_by_label("Your reply").fill("Sorry, I will")
        member.get_by_role("button", name="Post reply").click()
        expect(member.locator("article").last).to_contain_text("Sorry, I will")
    finally:
        team.close()
        members.close()
