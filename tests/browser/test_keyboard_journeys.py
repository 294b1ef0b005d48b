"""Keyboard alone, in a real browser: joining with the link on an invitation slip,
replying with a preview, and working a queue card to an outcome. Each step reaches its
control with Tab (never a click), in a bounded number of presses, and acts with Enter,
Space or the arrow keys. (Sending on the Wall by keyboard is in test_wall_screen.py.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from sharon.extensions import db
from sharon.models import ModerationItem, Network, Post, User
from tests.browser.pages import sign_in
from tests.forums.conftest import make_category, start_thread

pytestmark = pytest.mark.browser


def tab_to(page, target, most: int = 80) -> int:  # type: ignore[no-untyped-def]
    """Press Tab until `target` (a locator) has the focus; how many presses it took."""
    element = target.element_handle()
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", element):
            return presses
    raise AssertionError(f"{target} not reached in {most} presses of Tab")


def test_joining_with_the_link_on_the_slip_by_keyboard(page, app, make_invitation):
    invitation = make_invitation()
    page.goto(f"/join?code={invitation.code}")  # the link the slip's QR code holds
    expect(page.get_by_label("Invitation code")).to_have_value(invitation.code)
    tab_to(page, page.get_by_label("Choose a username"))
    page.keyboard.type("keyboard_kite")
    tab_to(page, page.get_by_label("Create a password"), most=3)
    page.keyboard.type("lantern meadow pebble")
    page.keyboard.press("Tab")
    page.keyboard.type("lantern meadow pebble")  # "Type your password again"
    tab_to(page, page.get_by_label("I have read the community guidelines"), most=3)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Create my account"), most=2)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Getting started on SHaRON")
    joined = db.session.scalars(sa.select(User).where(User.username == "keyboard_kite")).one()
    assert joined.invited_by_id == invitation.created_by_id


def test_replying_with_a_preview_by_keyboard(page, app, make_user):
    network = db.session.scalars(sa.select(Network)).first()
    river = make_user(username="river")
    make_user(username="ash")
    thread = start_thread(river, make_category(network, "Staying well"), title="Evening walks",
                          body="A walk helps me")
    sign_in(page, "ash")
    page.goto(f"/forums/t/{thread.id}")
    tab_to(page, page.get_by_label("Your reply"))
    page.keyboard.type("Me too, **every** evening <img src=x onerror=alert(1)>")
    tab_to(page, page.get_by_role("button", name="Preview"), most=4)
    page.keyboard.press("Enter")
    preview = page.locator("section.preview")
    expect(preview.locator("strong")).to_have_text("every")
    assert preview.locator("img").count() == 0  # hostile markup is inert in the preview too
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1  # nothing saved
    # The text is still in the box after the preview, ready to post.
    expect(page.get_by_label("Your reply")).to_have_value(
        "Me too, **every** evening <img src=x onerror=alert(1)>")
    tab_to(page, page.get_by_role("button", name="Post reply"))
    page.keyboard.press("Enter")
    reply = page.locator(".post").last
    expect(reply.locator(".post-body strong")).to_have_text("every")
    assert reply.locator("img").count() == 0
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 2


def test_working_a_queue_card_to_an_outcome_by_keyboard(page, app, make_user):
    network = db.session.scalars(sa.select(Network)).first()
    start_thread(make_user(username="river"), make_category(network, "Staying well"),
                 title="Lately", body="Some days I wish I was dead")
    make_user(username="dr_lee", role="clinician")
    sign_in(page, "dr_lee")
    page.goto("/moderation/")
    card = page.locator(".queue-item").first
    tab_to(page, card.get_by_role("button", name="Work on this"))
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("It is yours")
    card = page.locator(".queue-item").first
    tab_to(page, card.get_by_label("What was done"))
    page.keyboard.press("ArrowDown")  # the first outcome on the list
    chosen = card.get_by_label("What was done").input_value()
    assert chosen
    page.keyboard.press("Tab")  # the note
    page.keyboard.type("Rang them; they are safe tonight")
    tab_to(page, card.get_by_role("button", name="Close this item"), most=3)
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Closed")
    db.session.expire_all()
    item = db.session.scalars(sa.select(ModerationItem)).one()
    assert item.handled_at is not None and item.outcome == chosen
