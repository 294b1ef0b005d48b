"""Flask extensions, created unbound and bound to the app in create_app."""

from __future__ import annotations

from typing import Any

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Every constraint gets a predictable name so that Alembic can alter it later,
# on SQLite (batch mode) as well as PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def per_person() -> str:
    """A rate-limit key per signed-in person, not per address: a whole clinic may share
    one address, and one person must not get round a limit by changing theirs."""
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{get_remote_address()}"

# Seconds the rate limiter waits for its Redis before counting in this process instead.
RATE_LIMIT_REDIS_TIMEOUT = 0.5


def rate_limit_settings(storage_uri: str) -> dict[str, Any]:
    """Flask-Limiter settings that keep sign-in working while Redis is down.

    Limits fall back to this process's memory (still enforced, per worker) when Redis
    cannot be reached, with one warning in the log, and go back to Redis once it
    answers again. A dead Redis must fail fast: short socket timeouts, and none of
    redis-py's default retries with back-off, which made each request wait seconds.
    """
    settings: dict[str, Any] = {"RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True}
    if storage_uri.startswith(("redis://", "rediss://", "redis+unix://")):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        settings["RATELIMIT_STORAGE_OPTIONS"] = {
            "socket_connect_timeout": RATE_LIMIT_REDIS_TIMEOUT,
            "socket_timeout": RATE_LIMIT_REDIS_TIMEOUT,
            "retry": Retry(NoBackoff(), 0),
        }
    return settings
socketio = SocketIO()
