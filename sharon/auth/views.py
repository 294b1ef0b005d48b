"""Sign in, sign out, and joining with an invitation."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from sharon import writes
from sharon.auth import services
from sharon.auth.forms import JoinForm, SignInForm
from sharon.extensions import db, limiter
from sharon.forms import ButtonForm, add_error
from sharon.infra.sessions import start_session
from sharon.invitations import services as invitations
from sharon.models import User
from sharon.refusals import Refused

bp = Blueprint("auth", __name__)

JOINED_ALREADY = ("You had already sent this form, and your account is made. Sign in with "
                  "the username and password you chose.")


def _signin_limit() -> str:
    return current_app.config["SHARON_SIGNIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only ever redirect to a path on this site after signing in."""
    if not target:
        return url_for("pages.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.home")
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def signin() -> str | Response:
    """Sign in, with a lock-out after repeated failures that does not reveal who exists."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        policy = services.LockoutPolicy(
            attempts=current_app.config["SHARON_LOCKOUT_ATTEMPTS"],
            minutes=current_app.config["SHARON_LOCKOUT_MINUTES"],
        )
        def attempt() -> tuple[User | None, Refused | None]:
            try:
                return services.authenticate(form.username.data, form.password.data, policy,
                                             client=request.remote_addr or ""), None
            except Refused as refused:
                return None, refused  # committed all the same: the failure counts

        # Two failures at once for a new name both add its counter: the second, run
        # again, finds the first's row and counts on it.
        user, refusal = writes.save(attempt)
        if refusal is not None:
            error = refusal.message
        else:
            assert user is not None
            start_session(user)
            flash(f"Welcome back, {user.username}.", "success")
            return redirect(_safe_next(request.args.get("next")))
    status = 400 if error or form.errors else 200
    return render_template("auth/signin.html", form=form, error=error), status


@bp.post("/sign-out")
def signout() -> Response:
    """Sign out (a form with a token, so another site cannot sign someone out)."""
    form = ButtonForm()
    if form.validate_on_submit():
        # Sessions live in a signed cookie: a copy kept by someone else would outlive a
        # plain sign-out. Moving the session version on ends every copy, on every device.
        if current_user.is_authenticated:
            current_user.session_version += 1
            db.session.commit()
        logout_user()
        flash("You have signed out on this device and any others. Take care.", "success")
    return redirect(url_for("pages.home"))


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def join() -> str | Response:
    """Join with an invitation code: choose a username and password, accept the guidelines."""
    if current_user.is_authenticated:
        flash("You are already signed in.", "info")
        return redirect(url_for("pages.home"))
    form = JoinForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"]
    if form.validate_on_submit():
        redemption = invitations.Redemption(
            code=form.code.data,
            username=form.username.data.strip(),
            password=form.password.data,
            accepted_guidelines=bool(form.accept_guidelines.data),
            email=(form.email.data or "").strip() or None,
        )
        try:
            # Five people taking one username at the same moment: one account; the
            # others, run again, meet the ordinary "already taken". The same form sent
            # twice (a double click) makes the account once.
            user = writes.save_once(form.submission.data, None,
                                    lambda: invitations.redeem(redemption),
                                    lambda _: url_for("auth.signin"))
        except writes.AlreadySent as sent:
            return sent.response(message=JOINED_ALREADY)
        except Refused as refused:
            db.session.rollback()
            field = {"username_taken": form.username, "invalid_username": form.username,
                     "weak_password": form.password}.get(refused.code, form.code)
            add_error(field, refused.message)
        else:
            start_session(user)
            flash(f"Welcome to SHaRON, {user.username}. We're glad you're here.", "success")
            return redirect(url_for("pages.home"))
    status = 400 if form.errors else 200
    return render_template("auth/join.html", form=form), status
