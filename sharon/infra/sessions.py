"""Flask-Login wiring: who the current user is, and a fresh session at sign-in.

A session ends in two ways: after 12 hours without a visit (the cookie's own expiry),
and SHARON_SESSION_LIFETIME_HOURS after signing in however busy it is, so that a
phone left signed in on a shared table does not stay signed in for ever.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, session
from flask_login import LoginManager, login_user

from sharon.extensions import db
from sharon.infra import clock
from sharon.models import User


def init_app(app: Flask, login_manager: LoginManager) -> None:
    """Flask-Login and the session cookie, with the session version check."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.signin"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    # "strong" would sign people out when their mobile network changes address.
    login_manager.session_protection = "basic"

    login_manager.user_loader(user_for_session)
    app.before_request(end_old_session)
    app.before_request(keep_session_alive)
    app.jinja_env.globals["session_ended_notice"] = session_ended_notice


RESIGN_AFTER_SECONDS = 60 * 60
# In the session: when it began (Unix seconds), and, once it has ended by its lifetime,
# a note for the sign-in page (which is all the session then holds).
STARTED = "_started_at"
ENDED = "_ended_by_lifetime"


def _lifetime_seconds() -> int:
    return int(current_app.config.get("SHARON_SESSION_LIFETIME_HOURS", 12)) * 60 * 60


def too_old(started: object, now: int) -> bool:
    """Whether a session that began at `started` has outlived its fixed lifetime."""
    return not isinstance(started, int) or now - started >= _lifetime_seconds()


def end_old_session() -> None:
    """Sign out a session that has outlived its fixed lifetime, before anything reads it.

    A session signed in before lifetimes were kept has no start: its lifetime begins
    now, so everyone is not signed out at once on the day this is deployed.
    """
    if "_user_id" not in session:
        return
    now = int(clock.now().timestamp())
    if STARTED not in session:
        session[STARTED] = now
    elif too_old(session[STARTED], now):
        session.clear()
        session[ENDED] = current_app.config.get("SHARON_SESSION_LIFETIME_HOURS", 12)


def session_ended_notice() -> str | None:
    """The sign-in page's explanation after a session ended by its lifetime (said once)."""
    hours = session.pop(ENDED, None)
    if hours is None:
        return None
    return f"For your safety you are signed out after {hours} hours. Please sign in again."


def keep_session_alive() -> None:
    """Sessions expire 12 hours after their cookie was last signed. Re-signing it on
    every response costs every page; re-signing it once its signature is an hour old
    keeps the same promise to within an hour: 11 to 12 hours without a visit signs a
    person out, and someone busy on the site is never cut off mid-post."""
    if "_user_id" not in session:
        return
    now = int(clock.now().timestamp())
    if now - session.get("_signed_at", 0) >= RESIGN_AFTER_SECONDS:
        session["_signed_at"] = now


# Built once: it runs on every signed-in request.
_USER = sa.select(User).where(User.id == sa.bindparam("user_id"))


def user_for_session(user_id: object, fresh: bool = False) -> User | None:
    """The active user a session's id names, or None.

    The id carries the session version, so a password change, a suspension or a
    sign-out ends every other copy of the session. `fresh` re-reads the row even if
    the session already holds it (the Wall's sockets live far longer than a request).
    """
    if not isinstance(user_id, str) or ":" not in user_id:
        return None
    # Requests are checked before they start (end_old_session); sockets live on, and
    # carry the session as it was when they connected, so each event checks it here.
    if has_request_context() and STARTED in session and too_old(
            session[STARTED], int(clock.now().timestamp())):
        return None
    raw_id, raw_version = user_id.split(":", 1)
    if not raw_id.isdigit():
        return None
    user = db.session.execute(_USER, {"user_id": int(raw_id)},
                              execution_options={"populate_existing": fresh}
                              ).scalar_one_or_none()
    if user is None or str(user.session_version) != raw_version or not user.is_active:
        return None
    return user


def start_session(user: User) -> None:
    """Renew the session at sign-in: nothing set before it survives (no fixation), and
    its fixed lifetime starts again."""
    session.clear()
    login_user(user)
    session.permanent = True
    session[STARTED] = int(clock.now().timestamp())
