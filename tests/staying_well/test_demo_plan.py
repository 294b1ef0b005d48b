"""The demo shows staying well: demo_member has a plan to print and three weeks of
check-ins to chart, and seeding again adds nothing twice."""

from __future__ import annotations

import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import User
from tests.helpers import sign_in, text
from tests.staying_well.conftest import check_ins, plan_items


def test_seed_demo_gives_the_demo_member_a_plan_and_check_ins(runner, client, tmp_path, app):
    app.config["SHARON_MEDIA_DIR"] = str(tmp_path / "media")
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    member = db.session.scalar(sa.select(User).where(User.username == "demo_member"))
    assert len(plan_items(member.id, "warning_sign")) == 3
    assert len(plan_items(member.id, "person")) == 2
    assert [c.mood for c in check_ins(member.id)] == [7, 6, 5]
    sign_in(client, "demo_member", "stay-well-member")
    page = text(client.get("/staying-well/check-ins"))
    assert "Work is busy. Keeping an eye on my sleep." in page
    assert "Things may be harder" not in page  # one harder week is not a pattern
