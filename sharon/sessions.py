"""Flask-Login wiring: who the current user is, and a fresh session at sign-in."""

from __future__ import annotations

from flask import Flask, session
from flask_login import LoginManager, login_user

from sharon.extensions import db
from sharon.models import User


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.signin"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    # "strong" would sign people out when their mobile network changes address.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        """The id carries the session version, so a password change ends old sessions."""
        try:
            raw_id, raw_version = user_id.split(":", 1)
            user = db.session.get(User, int(raw_id))
        except ValueError:
            return None
        if user is None or str(user.session_version) != raw_version or not user.is_active:
            return None
        return user


def start_session(user: User) -> None:
    """Renew the session at sign-in: nothing set before it survives (no fixation)."""
    session.clear()
    login_user(user)
    session.permanent = True
