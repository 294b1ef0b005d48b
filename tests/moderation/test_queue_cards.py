"""A queue that reads at a glance: one card per post or message with its reports counted
and their reasons, content hidden automatically labelled, the urgent first with their
waiting time in words, one suggested (primary) button, and every button named for its
item."""

from __future__ import annotations

import re

import sqlalchemy as sa

from sharon.extensions import db
from sharon.forums.moderation import report
from sharon.models import ModerationItem
from tests.forums.conftest import add_reply, start_thread
from tests.helpers import sign_in, submit, text


def _post(make_user, general, body="Something nasty"):  # type: ignore[no-untyped-def]
    thread = start_thread(make_user(username="river"), general)
    return add_reply(make_user(username="troll"), thread, body)


def _moderator(client, make_user):  # type: ignore[no-untyped-def]
    make_user(username="sam_peer", role="peer_supporter")
    sign_in(client, "sam_peer")


# The NHS.UK frontend's primary and secondary buttons.
PRIMARY, SECONDARY = "nhsuk-button", "nhsuk-button nhsuk-button--secondary"


def _buttons(html: str) -> list[tuple[str, str]]:
    """(class, accessible name) of each button in the queue, the name as read aloud."""
    queue = html[html.index('<ol class="queue">'):]
    return [(cls, " ".join(re.sub(r"<[^>]+>", " ", inner).split()))
            for cls, inner in re.findall(r'<button[^>]*class="([^"]*)"[^>]*>(.*?)</button>',
                                         queue, flags=re.S)]


def test_three_reports_of_one_post_are_one_card_with_count_and_reasons(
        client, make_user, general):
    post = _post(make_user, general)
    for name, reason in (("ash", "unkind"), ("ben", "spam"), ("cat", "unkind")):
        report(make_user(username=name), post, reason, "")
    db.session.commit()
    _moderator(client, make_user)
    html = client.get("/moderation/").get_data(as_text=True)
    page = text(client.get("/moderation/"))
    assert html.count('class="queue-item') == 1
    assert ("3 reports: It's unkind, bullying or abusive (2); It's spam or advertising (1)"
            in page)
    assert "Reported by ash, ben, cat." in page
    # One set of controls for the reports together, not one per report.
    assert [name for _, name in _buttons(html)] == [
        "Work on this : the 3 reports about the forum post by troll",
        "Close this item : the 3 reports about the forum post by troll"]


def test_closing_the_card_closes_its_reports_together(client, make_user, general):
    post = _post(make_user, general)
    for name in ("ash", "ben"):
        report(make_user(username=name), post, "unkind", "")
    db.session.commit()
    _moderator(client, make_user)
    first = db.session.scalars(sa.select(ModerationItem).order_by(ModerationItem.id)).first()
    shown = text(submit(client, f"/moderation/items/{first.id}/handled",
                        {"outcome": "no_action", "with_reports": "1"}, page="/moderation/",
                        follow_redirects=True))
    assert "with 1 other report about it" in shown and "Nothing is waiting" in shown
    db.session.expire_all()
    assert all(item.outcome == "no_action" for item in db.session.scalars(
        sa.select(ModerationItem)))


def test_an_auto_hidden_post_is_labelled_on_its_card(client, make_user, general):
    hidden = _post(make_user, general)
    for name in ("ash", "ben", "cat"):
        report(make_user(username=name), hidden, "unkind", "")
    db.session.commit()
    _moderator(client, make_user)
    assert "Hidden automatically after reports." in text(client.get("/moderation/"))


def test_a_post_with_fewer_reports_is_not_labelled_hidden(client, make_user, general):
    post = _post(make_user, general)
    for name in ("ash", "ben"):
        report(make_user(username=name), post, "unkind", "")
    db.session.commit()
    _moderator(client, make_user)
    page = text(client.get("/moderation/"))
    assert "2 reports" in page and "Hidden automatically" not in page


def test_urgent_cards_come_first_with_their_waiting_time_in_words(
        client, make_user, general, frozen_clock):
    thread = start_thread(make_user(username="river"), general)
    calm = add_reply(make_user(username="ash"), thread, "calm words")
    worrying = add_reply(make_user(username="ben"), thread, "worrying words")
    reporter = make_user(username="jonah")
    report(reporter, calm, "spam", "")
    frozen_clock.advance(minutes=20)
    report(reporter, worrying, "risk", "")
    frozen_clock.advance(minutes=12)
    db.session.commit()
    _moderator(client, make_user)
    page = text(client.get("/moderation/"))
    assert page.index("Urgent Report: forum post") < page.index("Normal Report: forum post")
    assert page.index("Waiting 12 minutes") < page.index("Waiting 32 minutes")


def test_the_likely_action_is_the_primary_button(client, make_user, general):
    post = _post(make_user, general)
    report(make_user(username="ash"), post, "unkind", "")
    db.session.commit()
    _moderator(client, make_user)
    buttons = dict((name.split(" :")[0], cls) for cls, name in
                   _buttons(client.get("/moderation/").get_data(as_text=True)))
    assert buttons == {"Work on this": PRIMARY, "Close this item": SECONDARY}
    item = db.session.scalars(sa.select(ModerationItem)).one()
    submit(client, f"/moderation/items/{item.id}/claim", {}, page="/moderation/")
    buttons = dict((name.split(" :")[0], cls) for cls, name in
                   _buttons(client.get("/moderation/").get_data(as_text=True)))
    assert buttons == {"Give it back to the queue": SECONDARY, "Close this item": PRIMARY}


def test_every_button_and_field_says_which_item_it_is_for(client, make_user, general):
    thread = start_thread(make_user(username="river"), general)
    for author, words in (("ash", "first reply"), ("ben", "second reply")):
        post = add_reply(make_user(username=author), thread, words)
        report(make_user(username=f"{author}_reader"), post, "unkind", "")
    db.session.commit()
    _moderator(client, make_user)
    html = client.get("/moderation/").get_data(as_text=True)
    names = [name for _, name in _buttons(html)]
    assert len(names) == 4 and len(set(names)) == 4
    for author in ("ash", "ben"):
        assert sum(f"about the forum post by {author}" in name for name in names) == 2
    # Every field is labelled, and each label is told apart by its item too.
    fields = re.findall(r'<(?:select|textarea)[^>]*id="([^"]+)"', html)
    labels = {for_: " ".join(re.sub(r"<[^>]+>", " ", inner).split()) for for_, inner in
              re.findall(r'<label[^>]*for="([^"]+)"[^>]*>(.*?)</label>', html, flags=re.S)}
    assert fields and all(field in labels for field in fields)
    assert len({labels[field] for field in fields}) == len(fields)
