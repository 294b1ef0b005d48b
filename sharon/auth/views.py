"""Sign in, sign out, joining with an invitation, and resetting a forgotten password."""

from __future__ import annotations

import hashlib
import logging
import time
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from sharon import mail, writes
from sharon.auth import resets, services
from sharon.auth.forms import (
    ForgottenPasswordForm,
    JoinForm,
    ResetWithCodeForm,
    ResetWithLinkForm,
    SignInForm,
)
from sharon.extensions import db, limiter
from sharon.forms import ButtonForm, add_error
from sharon.infra.sessions import start_session
from sharon.invitations import services as invitations
from sharon.models import User
from sharon.refusals import Refused

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)

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
    valid = form.validate_on_submit()
    # A typing slip (the check character) is caught before anything is looked up.
    mistyped = invitations.code_problem(form.code.data) if valid else None
    if mistyped is not None:
        add_error(form.code, mistyped.message)
    elif valid:
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
            return redirect(url_for("pages.welcome"))
    status = 400 if form.errors else 200
    return render_template("auth/join.html", form=form), status


# --- Forgotten passwords ----------------------------------------------------------------

# Per client address, and per address asked about (so nobody can fill one inbox).
MAIL_LIMIT = "10 per hour"
MAIL_PER_ADDRESS_LIMIT = "3 per hour"
# The mail request answers no sooner than this, whatever it found: looking an address up
# and making a link takes a few milliseconds more when it has an account, and that
# difference must not be measurable. The sending itself is in the background.
MAIL_ANSWER_SECONDS = 0.5
RESET_DONE = ("Your password has been changed. Sign in with your new password. Anyone "
              "signed in to your account on any device has been signed out.")
RESET_ALREADY = ("You had already sent this form, and your password was changed then. "
                 "Sign in with your new password.")


def _mail_address_key() -> str:
    # Hashed, so that rate-limit storage (Redis) never holds anyone's address.
    address = (request.form.get("email") or "").strip().lower()[:254]
    return "reset-mail:" + hashlib.sha256(address.encode()).hexdigest()


def _signed_in_elsewhere() -> Response | None:
    """Someone signed in changes their password on their account page instead."""
    if current_user.is_authenticated:
        flash("You are signed in, so you can change your password here.", "info")
        return redirect(url_for("account.password"))
    return None


@bp.route("/forgotten-password", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
@limiter.limit(MAIL_PER_ADDRESS_LIMIT, methods=["POST"], key_func=_mail_address_key)
def forgotten() -> str | Response:
    """What to do about a forgotten password; where mail is set up, ask for a link by email.
    The answer is the same page, after the same time, whether or not the address is ours."""
    away = _signed_in_elsewhere()
    if away:
        return away
    settings = mail.settings(current_app.config)
    form = ForgottenPasswordForm()
    if settings is not None and form.validate_on_submit():
        started = time.monotonic()
        address = form.email.data.strip()

        def send_links() -> list[EmailMessage]:
            messages = []
            for user in resets.accounts_for_email(address):
                try:
                    messages.append(_reset_mail(settings, user, resets.issue_by_mail(user)))
                except ValueError:  # an address no message can carry (a stray line break)
                    log.warning("reset mail for user %s could not be addressed", user.id)
            return messages

        try:
            messages = writes.save_once(form.submission.data, None, send_links,
                                        lambda _: url_for("auth.forgotten_sent"))
        except (writes.AlreadySent, Refused):
            # Sent twice (the first sent the links) or a write that kept colliding: the
            # answer below is the same either way.
            db.session.rollback()
            messages = []
        for message in messages:
            mail.send_later(settings, message)  # after the commit: the link works on arrival
        time.sleep(max(0.0, MAIL_ANSWER_SECONDS - (time.monotonic() - started)))
        return redirect(url_for("auth.forgotten_sent"))
    status = 400 if form.errors else 200
    return render_template("auth/forgotten.html", form=form, mail_on=settings is not None), \
        status


def _reset_mail(settings: mail.MailSettings, user: User, token: str) -> EmailMessage:
    body = render_template("auth/reset_mail.txt", user=user, minutes=int(
        resets.MAIL_LINK_LIFE.total_seconds() // 60),
        link=url_for("auth.reset_link", token=token, _external=True))
    return mail.message(settings, user.email or "", "Resetting your SHaRON password", body)


@bp.get("/forgotten-password/sent")
def forgotten_sent() -> str:
    """Told to everyone who asked for a link, whether or not the address has an account."""
    return render_template("auth/forgotten_sent.html")


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def reset() -> str | Response:
    """Choose a new password with the reset code the team gave you."""
    away = _signed_in_elsewhere()
    if away:
        return away
    form = ResetWithCodeForm()
    if form.validate_on_submit():
        wanted = resets.CodeReset(username=form.username.data, code=form.code.data,
                                  password=form.password.data)
        try:
            writes.save_once(form.submission.data, None, lambda: resets.reset_with_code(wanted),
                             lambda _: url_for("auth.signin"))
        except writes.AlreadySent as sent:
            return sent.response(message=RESET_ALREADY)
        except Refused as refused:
            db.session.rollback()
            add_error(form.password if refused.code == "weak_password" else form.code,
                      refused.message)
        else:
            flash(RESET_DONE, "success")
            return redirect(url_for("auth.signin"))
    return render_template("auth/reset.html", form=form), 400 if form.errors else 200


def _link_page(form: ResetWithLinkForm | None, spent: str | None, status: int) -> Response:
    response = make_response(render_template("auth/reset_link.html", form=form, spent=spent),
                             status)
    # The token is in this page's address: no Referer carries it on, even to this site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def reset_link(token: str) -> Response:
    """Choose a new password from the link sent by mail."""
    away = _signed_in_elsewhere()
    if away:
        return away
    try:
        resets.open_link(token)
    except Refused as refused:
        return _link_page(None, refused.message, 400)
    form = ResetWithLinkForm()
    if form.validate_on_submit():
        try:
            writes.save_once(form.submission.data, None,
                             lambda: resets.reset_with_link(token, form.password.data),
                             lambda _: url_for("auth.signin"))
        except writes.AlreadySent as sent:
            return sent.response(message=RESET_ALREADY)
        except Refused as refused:
            db.session.rollback()
            if refused.code != "weak_password":
                return _link_page(None, refused.message, 400)
            add_error(form.password, refused.message)
        else:
            flash(RESET_DONE, "success")
            return redirect(url_for("auth.signin"))
    return _link_page(form, None, 400 if form.errors else 200)
