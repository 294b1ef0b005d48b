"""factory_boy factories for the data tests need."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import factory
import sqlalchemy as sa
from argon2 import PasswordHasher, Type

from sharon.extensions import db
from sharon.infra import clock
from sharon.invitations.services import hash_code, new_code
from sharon.models import Invitation, Network, User
from tests.helpers import PASSWORD


@cache
def _password_hash() -> str:
    # The test suite's "fast" argon2 profile: sign-in verifies it without a rehash.
    return PasswordHasher(type=Type.ID, time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


def default_network() -> Network:
    return db.session.scalars(sa.select(Network).order_by(Network.id)).first()


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class NetworkFactory(Base):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")
    description = ""


class UserFactory(Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"person_{n}")
    username_key = factory.LazyAttribute(lambda o: o.username.lower())
    role = "member"
    status = "active"
    password_hash = factory.LazyFunction(_password_hash)
    created_at = factory.LazyFunction(lambda: clock.now())
    guidelines_accepted_at = factory.LazyFunction(lambda: clock.now())
    networks = factory.LazyFunction(lambda: [default_network()])


class InvitationFactory(Base):
    """Builds an invitation; the plain code is left on `.code` for the test to use."""

    class Meta:
        model = Invitation

    role = "member"
    note = ""
    created_by = factory.SubFactory(UserFactory, role="clinician")
    created_at = factory.LazyFunction(lambda: clock.now())
    expires_at = factory.LazyFunction(lambda: clock.now() + timedelta(days=14))
    networks = factory.LazyFunction(lambda: [default_network()])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        code = kwargs.pop("code", None) or new_code()
        kwargs.setdefault("code_hash", hash_code(code))
        obj = super()._create(model_class, *args, **kwargs)
        obj.code = code
        return obj

    @classmethod
    def _build(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("code_hash", hash_code(kwargs.pop("code", None) or new_code()))
        return super()._build(model_class, *args, **kwargs)
