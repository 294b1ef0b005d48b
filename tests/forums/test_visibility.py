"""The SQL form of "who may see this thread" agrees with the Python one, for everyone."""

from __future__ import annotations

import pytest

from sharon.extensions import db
from sharon.forums import visibility
from sharon.models import Role
from tests.factories import NetworkFactory
from tests.forums.conftest import make_category, start_thread


@pytest.mark.parametrize("audience", ["everyone", "carers", "team"])
@pytest.mark.parametrize("state", ["open", "hidden", "held"])
def test_viewers_matches_may_see_thread(make_user, network, audience, state):
    elsewhere = NetworkFactory(name="Perinatal", slug="perinatal")
    space = make_category(network, f"Space {audience}", audience=audience)
    author = make_user(username="author_one", role="peer_supporter")
    thread = start_thread(author, space)
    thread.hidden = state == "hidden"
    thread.held = state == "held"
    thread.author_id = None if state == "hidden" else thread.author_id
    people = [author]
    for role in Role:
        people.append(make_user(username=f"in_{role.value}", role=role.value))
        people.append(make_user(username=f"out_{role.value}", role=role.value,
                                networks=[elsewhere]))
        people.append(make_user(username=f"gone_{role.value}", role=role.value,
                                status="suspended"))
    db.session.commit()
    expected = {p.id for p in people if p.is_active and visibility.may_see_thread(p, thread)}
    assert visibility.viewers(thread, [p.id for p in people]) == expected
    assert expected  # the team, at least, always sees it


@pytest.mark.parametrize("audiences", [[], ["everyone"], ["everyone", "carers"]])
def test_category_rule_shows_exactly_the_audiences_given(make_user, network, audiences):
    """The rule's audiences are equalities (visibility._any_of), not an IN list; none at
    all must show nothing, as `IN ()` would, never every space."""
    import sqlalchemy as sa

    from sharon.models import Category

    for audience in ("everyone", "carers", "team"):
        make_category(network, f"Space {audience}", audience=audience)
    member = make_user(username="reader_one")
    db.session.commit()
    kind = visibility.Reader(reads=True, sees_everything=False, moderator=False)
    shown = set(db.session.scalars(sa.select(Category.audience).where(
        visibility.category_rule(kind, member.id, audiences))))
    assert shown == set(audiences)
