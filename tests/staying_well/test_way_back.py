"""The way back: when two check-ins in a row score 3 or more on PHQ-2 or GAD-2, or the
person ticks their own warning signs, the page shows their plan, the self-referral route
and crisis contacts, and offers (never forces) to let the team know. Nothing reaches the
team unless the person reads the message and presses send."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Conversation, ConversationMessage, ModerationItem, Notification
from tests.helpers import submit, text
from tests.staying_well.conftest import (
    CALM,
    HARD,
    check_in,
    client_for,
    days_later,
    plan_items,
    turn_on,
    write_list,
)

CARD = "Things may be harder at the moment"
HIGH_GAD = {"interest": "0", "low": "1", "nervous": "2", "worrying": "1", "mood": "5"}


def nothing_reached_the_team() -> bool:
    db.session.expire_all()
    return all(db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
               for model in (Conversation, ConversationMessage, ModerationItem))


def _weeks(client, tuesday, *answers):  # type: ignore[no-untyped-def]
    for index, each in enumerate(answers):
        if index:
            days_later(tuesday, client, "river", 7)
        check_in(client, each)


def test_two_high_check_ins_in_a_row_show_the_way_back(app, people, tuesday):
    client = client_for(app, "river")
    app.config["SHARON_SELF_REFERRAL_URL"] = "https://talking.example.nhs.uk/refer"
    write_list(client, "helps", "A walk by the river")
    submit(client, "/staying-well/plan/person", {"people-0-name": "Jo", "people-0-how": "07700"})
    turn_on(client)
    _weeks(client, tuesday, HARD)
    assert CARD not in text(client.get("/staying-well/"))  # one high week is not a pattern
    days_later(tuesday, client, "river", 7)
    check_in(client, HIGH_GAD)  # PHQ-2 high, then GAD-2 high: both count
    page = client.get("/staying-well/")
    words = text(page)
    assert CARD in words
    assert "Your last two check-ins scored 3 or more on low mood or anxiety" in words
    assert "A walk by the river" in words and "Jo : 07700" in words
    assert "refer yourself to your talking therapy service" in words
    assert "Samaritans" in words and "NHS 111" in words
    assert "nhsuk-card--care--urgent" in page.get_data(as_text=True)
    assert "Let the team know" in words
    assert CARD in text(client.get("/staying-well/check-ins"))
    assert CARD in text(client.get("/staying-well/way-back"))
    assert nothing_reached_the_team()  # offered, never sent


def test_a_calm_week_between_or_after_hard_ones_means_no_way_back_card(app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client)
    _weeks(client, tuesday, HARD, CALM, HARD)
    assert CARD not in text(client.get("/staying-well/"))
    days_later(tuesday, client, "river", 7)
    check_in(client, HARD)
    assert CARD in text(client.get("/staying-well/"))
    # The latest week's check-in is replaced by a calmer one: the card goes.
    check_in(client, CALM)
    assert CARD not in text(client.get("/staying-well/"))


def test_scores_of_two_do_not_call_for_the_way_back(app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client)
    two = {"interest": "1", "low": "1", "nervous": "1", "worrying": "1", "mood": "5"}
    _weeks(client, tuesday, two, two)
    assert CARD not in text(client.get("/staying-well/"))


def test_old_high_check_ins_no_longer_show_the_card(app, people, tuesday):
    client = client_for(app, "river")
    turn_on(client)
    _weeks(client, tuesday, HARD, HARD)
    assert CARD in text(client.get("/staying-well/"))
    days_later(tuesday, client, "river", 35)
    assert CARD not in text(client.get("/staying-well/"))


def test_warning_signs_ticked_in_a_check_in_show_the_way_back(app, people, tuesday):
    client = client_for(app, "river")
    write_list(client, "warning_sign", "Sleeping badly\nSkipping meals")
    turn_on(client)
    sign = plan_items(people["river"].id, "warning_sign")[0]
    check_in(client, CALM, signs=[str(sign.id)])
    words = text(client.get("/staying-well/"))
    assert CARD in words
    assert "You are noticing this warning sign: Sleeping badly" in words
    assert nothing_reached_the_team()


def test_ticking_warning_signs_on_the_plan_shows_the_way_back_and_stores_nothing(
        app, people, tuesday):
    client = client_for(app, "river")
    write_list(client, "warning_sign", "Sleeping badly\nSkipping meals\nSnapping at people")
    write_list(client, "helps", "Calling my sister")
    signs = plan_items(people["river"].id, "warning_sign")
    shown = submit(client, "/staying-well/plan/noticing",
                   {"signs": [str(signs[0].id), str(signs[2].id)]}, page="/staying-well/plan")
    assert shown.status_code == 200
    words = text(shown)
    assert "You are noticing these warning signs: Sleeping badly Snapping at people" in words
    assert "Calling my sister" in words and "Let the team know" in words
    assert nothing_reached_the_team()


def test_ticking_nothing_or_someone_else_s_sign_on_the_plan_is_refused(app, people):
    client = client_for(app, "river")
    write_list(client, "warning_sign", "Sleeping badly")
    write_list(client_for(app, "sky"), "warning_sign", "SKY-SIGN")
    theirs = plan_items(people["sky"].id, "warning_sign")[0]
    empty = submit(client, "/staying-well/plan/noticing", {}, page="/staying-well/plan")
    assert empty.status_code == 400
    assert text(empty).count("Tick the warning signs you are noticing.") == 2
    stolen = submit(client, "/staying-well/plan/noticing", {"signs": [str(theirs.id)]},
                    page="/staying-well/plan")
    assert stolen.status_code == 400 and "SKY-SIGN" not in text(stolen)
    assert "Tick only the warning signs listed here" in text(stolen)


def test_letting_the_team_know_is_a_message_the_person_reads_edits_and_sends(
        app, people, tuesday):
    client = client_for(app, "river")
    write_list(client, "warning_sign", "Sleeping badly")
    write_list(client, "trigger", "TRIGGER-LINE deadlines")
    write_list(client, "helps", "HELPS-LINE swimming")
    submit(client, "/staying-well/plan/person",
           {"people-0-name": "PERSON-NAME Jo", "people-0-how": "PERSON-PHONE 07700"})
    turn_on(client)
    check_in(client, HARD, note="NOTE-PRIVATE")
    page = client.get("/staying-well/tell-the-team")
    draft = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nothing is sent until you press send" in text(page)
    # Nothing from the plan or the check-ins is in the draft until the person ticks it.
    message = draft.split("<textarea")[1]
    for private in ("PHQ-2", "Sleeping badly", "TRIGGER-LINE", "HELPS-LINE"):
        assert private not in message
    draft = client.get("/staying-well/tell-the-team?include=scores&include=signs"
                       ).get_data(as_text=True)
    assert "Week of 30 Nov: PHQ-2 4 out of 6, GAD-2 2 out of 6, mood 3 out of 10" in draft
    assert "Sleeping badly" in draft
    assert "TRIGGER-LINE" not in draft and "HELPS-LINE" not in draft  # not chosen
    assert "NOTE-PRIVATE" not in draft and "PERSON-NAME" not in draft
    assert "PERSON-PHONE" not in draft
    assert nothing_reached_the_team()  # opening the page sends nothing
    chosen = client.get("/staying-well/tell-the-team?include=helps&include=")
    assert "HELPS-LINE swimming" in chosen.get_data(as_text=True)
    assert "PHQ-2" not in chosen.get_data(as_text=True).split("<textarea")[1]
    assert nothing_reached_the_team()
    sent = submit(client, "/staying-well/tell-the-team",
                  {"subject": "Struggling a bit", "body": "Only this edited line."})
    assert sent.status_code == 303
    db.session.expire_all()
    conversation = db.session.scalars(sa.select(Conversation)).one()
    assert sent.location.endswith(f"/ask-the-team/{conversation.id}")
    assert conversation.member_id == people["river"].id
    assert conversation.subject == "Struggling a bit"
    assert [m.body for m in conversation.messages] == ["Only this edited line."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationItem)) == 1
    # The team sees what was sent, and only that.
    team = client_for(app, "dr_lee")
    seen = text(team.get(f"/ask-the-team/{conversation.id}"))
    assert "Only this edited line." in seen
    for private in ("Sleeping badly", "HELPS-LINE", "NOTE-PRIVATE", "PERSON-NAME"):
        assert private not in seen


def test_an_empty_message_to_the_team_is_refused_and_nothing_is_sent(app, people):
    client = client_for(app, "river")
    refused = submit(client, "/staying-well/tell-the-team", {"subject": "Hi", "body": "  "})
    assert refused.status_code == 400
    assert text(refused).count("Write your message.") == 2
    too_long = submit(client, "/staying-well/tell-the-team",
                      {"subject": "Hi", "body": "x" * 4001})
    assert "A message can be up to 4,000 characters. Yours has 4,001." in text(too_long)
    no_subject = submit(client, "/staying-well/tell-the-team", {"subject": "", "body": "Hi"})
    assert "Give your message a subject." in text(no_subject)
    assert nothing_reached_the_team()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_the_same_message_sent_twice_goes_once(app, people):
    client = client_for(app, "river")
    from tests.helpers import csrf_token, submission_tokens

    html = client.get("/staying-well/tell-the-team").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), **submission_tokens(html), "subject": "Hello",
            "body": "Once only"}
    assert client.post("/staying-well/tell-the-team", data=data).status_code == 303
    assert client.post("/staying-well/tell-the-team", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConversationMessage)) == 1
