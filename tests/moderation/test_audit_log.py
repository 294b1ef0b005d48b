"""The audit log: the database refuses to change it, and clinicians and admins read it
with filters or download it as a streamed CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Audit, ModerationAction, User
from sharon.moderation.services import record
from tests.helpers import sign_in, text


def _lines(client, query: str = "") -> str:
    """The table's text only (the filter's list of actions names every kind too)."""
    html = client.get(f"/moderation/audit{query}").get_data(as_text=True)
    return html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""


def _line(actor: User, action: Audit = Audit.ACCOUNT_ROLE_SET, reason: str = "",
          subject_id: int = 1, **detail: object) -> ModerationAction:
    entry = record(actor, action, "user", subject_id, reason, **detail)
    db.session.commit()
    return entry


@pytest.mark.parametrize("statement", [
    "UPDATE moderation_actions SET reason = 'tidied up'",
    "UPDATE moderation_actions SET actor_id = NULL, reason = 'tidied up'",
    "UPDATE moderation_actions SET action = 'account_create'",
    "DELETE FROM moderation_actions",
])
def test_the_database_refuses_to_change_or_delete_a_line(app, make_user, statement):
    boss = make_user(username="boss", role="admin")
    entry_id = _line(boss, reason="promoted after training").id
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    kept = db.session.execute(sa.text(
        "SELECT action, reason, actor_id FROM moderation_actions WHERE id = :id"),
        {"id": entry_id}).one()
    assert tuple(kept) == ("account_role_set", "promoted after training", boss.id)


def test_the_orm_cannot_change_or_delete_a_line_either(app, make_user):
    boss = make_user(username="boss", role="admin")
    entry = _line(boss, reason="first")
    entry.reason = "second"
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ModerationAction, entry.id))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(ModerationAction, entry.id).reason == "first"


def test_forgetting_the_actor_of_a_deleted_account_is_the_one_change_allowed(app, make_user):
    boss = make_user(username="boss", role="admin")
    entry_id = _line(boss, reason="kept").id
    db.session.execute(sa.text("UPDATE moderation_actions SET actor_id = NULL"))
    db.session.commit()
    row = db.session.execute(sa.text("SELECT actor_id, reason FROM moderation_actions "
                                     "WHERE id = :id"), {"id": entry_id}).one()
    assert tuple(row) == (None, "kept")


@pytest.mark.parametrize("role", ["member", "carer", "peer_supporter", "volunteer"])
def test_only_clinicians_and_admins_read_the_log(client, make_user, role):
    make_user(username="someone", role=role)
    sign_in(client, "someone")
    assert client.get("/moderation/audit").status_code == 403
    assert client.get("/moderation/audit.csv").status_code == 403


def test_a_clinician_filters_the_log(client, make_user, frozen_clock):
    boss, lee = make_user(username="boss", role="admin"), make_user(username="dr_lee",
                                                                    role="clinician")
    _line(boss, Audit.ACCOUNT_STATUS_SET, "posted contact details", subject_id=7,
          status="suspended")
    frozen_clock.advance(days=3)
    _line(lee, Audit.INVITATION_ISSUE, subject_id=9)
    sign_in(client, "dr_lee")
    page = _lines(client)
    assert "status changed" in page and "invitation issued" in page
    assert page.index("invitation issued") < page.index("status changed")  # newest first
    only_boss = _lines(client, "?person=BOSS")
    assert "status changed" in only_boss and "invitation issued" not in only_boss
    assert "posted contact details" in only_boss and "status: suspended" in only_boss
    by_action = _lines(client, "?action=invitation_issue")
    assert "invitation issued" in by_action and "status changed" not in by_action
    today = frozen_clock.now.date().isoformat()
    assert "invitation issued" in _lines(client, f"?since={today}")
    assert "status changed" not in _lines(client, f"?since={today}")
    by_target = _lines(client, "?subject_type=user&subject_id=7")
    assert "status changed" in by_target and "invitation issued" not in by_target


def test_old_names_are_found_under_their_new_kind(client, make_user):
    boss = make_user(username="dr_lee", role="clinician")
    db.session.add(ModerationAction(actor=boss, action="queue_handled", subject_type="post",
                                    subject_id=3, reason="", detail={}))
    db.session.commit()
    sign_in(client, "dr_lee")
    page = _lines(client, "?action=queue_item_handle")
    assert "handled" in page and "queue_handled" in page


@pytest.mark.parametrize("query, message", [
    ("since=yesterday", "Enter a date like 2026-11-27."),
    ("since=2026-11-27&until=2026-11-01", "The last day must be on or after the first day."),
    ("action=delete_everything", "Choose an action from the list."),
    ("subject_id=" + "9" * 5000, "Enter the number of the thing, like 42."),
])
def test_a_wrong_filter_is_explained_and_shows_everything_else(client, make_user, query,
                                                              message):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    response = client.get(f"/moderation/audit?{query}")
    assert response.status_code == 400
    assert "There is a problem" in text(response) and message in text(response)
    assert client.get(f"/moderation/audit.csv?{query}").status_code == 400


def test_thousands_of_lines_stream_as_csv(client, make_user, frozen_clock):
    lee = make_user(username="dr_lee", role="clinician")
    start = frozen_clock.now - timedelta(days=1)
    db.session.execute(sa.insert(ModerationAction), [
        {"actor_id": lee.id, "action": "wall_duty_start", "subject_type": "user",
         "subject_id": lee.id, "reason": "", "detail": {"n": i},
         "created_at": start + timedelta(seconds=i)} for i in range(1200)])
    _line(lee, Audit.SANCTION_GIVE, "=HYPERLINK(\"http://evil.example\")", minutes=30)
    sign_in(client, "dr_lee")
    response = client.get("/moderation/audit.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["id", "when_utc", "who", "action"]
    assert len(rows) == 1 + 1201
    assert rows[1][3] == "sanction_give" and rows[1][8].startswith("'=HYPERLINK")
    assert {r[3] for r in rows[2:]} == {"wall_duty_start"}
    assert len({r[0] for r in rows[1:]}) == 1201  # no line twice across batches
