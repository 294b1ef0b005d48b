"""Services check permission themselves, so a rule holds whichever door a change came
through, and every change the team makes leaves one line of one audit vocabulary."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sharon.admin import services as admin
from sharon.extensions import db
from sharon.forums import categories
from sharon.invitations import services as invitations
from sharon.models import Audit, Category, Invitation, ModerationAction, Network, Role, User
from sharon.moderation import services as moderation
from sharon.moderation.subjects import SUBJECTS
from sharon.refusals import Refused
from sharon.sanctions import services as sanctions
from tests.helpers import sign_in, submit


def _log() -> list[tuple[str, str | None, str, int]]:
    rows = db.session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id))
    return [(r.action, r.actor.username if r.actor else None, r.subject_type, r.subject_id)
            for r in rows]


def _attempts(member: User, other: User, network: Network) -> list:  # type: ignore[type-arg]
    invitation = invitations.NewInvitation(role=Role.MEMBER, network_ids=[network.id], days=7)
    account = admin.NewAccount("new_person", Role.CLINICIAN, "meadow quartz violin")
    return [
        lambda: admin.set_role(member, other, Role.ADMIN),
        lambda: sanctions.give(member, other, "suspend", "no reason"),
        lambda: admin.set_networks(member, other, [network.id]),
        lambda: admin.create_account(member, account),
        lambda: admin.create_network(member, "Shadow network"),
        lambda: invitations.issue(member, invitation),
        lambda: categories.create(member, network.id, "Secret", "", 0, "everyone"),
    ]


@pytest.mark.parametrize("attempt", range(7))
def test_a_member_calling_a_staff_service_directly_is_refused_and_nothing_changes(
        app, make_user, attempt):
    member = make_user(username="river")
    other = make_user(username="sky")
    network = db.session.scalar(sa.select(Network))
    before = (db.session.scalar(sa.select(sa.func.count()).select_from(User)),
              db.session.scalar(sa.select(sa.func.count()).select_from(Network)),
              db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)),
              db.session.scalar(sa.select(sa.func.count()).select_from(Category)))
    with pytest.raises(Refused) as refused:
        _attempts(member, other, network)[attempt]()
    assert refused.value.code == "forbidden"
    db.session.rollback()
    db.session.refresh(other)
    assert (other.role, other.status) == ("member", "active")
    assert before == (db.session.scalar(sa.select(sa.func.count()).select_from(User)),
                      db.session.scalar(sa.select(sa.func.count()).select_from(Network)),
                      db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)),
                      db.session.scalar(sa.select(sa.func.count()).select_from(Category)))
    assert _log() == []


def test_suspending_and_changing_a_role_are_in_the_audit_log(client, make_user):
    make_user(username="boss", role="admin")
    member = make_user(username="river")
    sign_in(client, "boss")
    page = f"/admin/people/{member.id}"
    history = f"/moderation/people/{member.id}"
    submit(client, history, {"kind": "suspend", "reason": "Threats", "minutes": "60"},
           page=history)
    submit(client, f"{page}/role", {"role": "volunteer"}, page=page)
    assert _log() == [("sanction_give", "boss", "user", member.id),
                      ("account_role_set", "boss", "user", member.id)]
    entries = list(db.session.scalars(
        sa.select(ModerationAction).order_by(ModerationAction.id)))
    assert entries[0].reason == "Threats" and entries[0].detail["kind"] == "suspend"
    assert entries[1].detail == {"role": "volunteer", "was": "member"}


def test_invitations_and_networks_are_in_the_audit_log(client, make_user, frozen_clock):
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    submit(client, "/admin/networks", {"name": "Perinatal", "description": ""})
    network = db.session.scalar(sa.select(Network).where(Network.name == "Perinatal"))
    boss = db.session.scalar(sa.select(User).where(User.username == "boss"))
    invitation, _ = invitations.issue(boss, invitations.NewInvitation(
        role=Role.CARER, network_ids=[network.id], days=7))
    invitations.revoke(boss, invitation)
    db.session.commit()
    assert _log() == [("network_create", "boss", "network", network.id),
                      ("invitation_issue", "boss", "invitation", invitation.id),
                      ("invitation_revoke", "boss", "invitation", invitation.id)]
    assert invitation.expires_at == frozen_clock.now + timedelta(days=7)


def test_a_clinician_may_withdraw_only_their_own_invitations(app, make_user):
    network = db.session.scalar(sa.select(Network))
    first, second = make_user(username="dr_a", role="clinician"), make_user(
        username="dr_b", role="clinician")
    invitation, _ = invitations.issue(first, invitations.NewInvitation(
        role=Role.MEMBER, network_ids=[network.id], days=7))
    with pytest.raises(Refused, match="only withdraw invitations you issued"):
        invitations.revoke(second, invitation)
    assert invitation.revoked_at is None
    invitations.revoke(make_user(username="boss", role="admin"), invitation)
    assert invitation.revoked_at is not None


def test_the_audit_log_takes_only_names_from_its_vocabulary(app, make_user):
    boss = make_user(username="boss", role="admin")
    with pytest.raises(ValueError):
        moderation.record(boss, "banned_someone", "user", boss.id)  # type: ignore[arg-type]
    assert all(name.value.count("_") >= 1 and name.value == name.value.lower()
               for name in Audit)


def test_lines_written_under_older_names_are_still_read():
    assert Audit.of("queue_handled") is Audit.QUEUE_ITEM_HANDLE
    assert Audit.of("resource_captions_uploaded") is Audit.RESOURCE_FILE_UPLOAD
    assert Audit.of("mute") is Audit.SANCTION_GIVE
    assert Audit.of("wall_mute_add") is Audit.SANCTION_GIVE
    assert Audit.of("wall_hours_set") is Audit.WALL_HOURS_SET
    assert Audit.of("something_else") is None


def test_the_moderation_package_names_no_other_areas_pages_or_code():
    root = Path(__file__).resolve().parent.parent
    files = [*(root / "sharon" / "moderation").glob("*.py"),
             *(root / "templates" / "moderation").glob("*.html")]
    assert len(files) > 5
    for path in files:
        source = path.read_text()
        for area in ("forums", "wall", "library"):
            assert f"url_for('{area}." not in source and f'url_for("{area}.' not in source, path
            assert f"sharon.{area}" not in source and f"sharon import {area}" not in source, path


def test_every_subject_the_areas_queue_is_registered(app):
    assert {"post", "thread", "refused_post", "wall_message",
            "refused_wall_message"} <= set(SUBJECTS)
    assert all(s.label and s.area for s in SUBJECTS.values())
