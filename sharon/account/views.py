"""A person's own account: what we hold about them, and their password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon.account.forms import ChangePasswordForm
from sharon.auth import services as auth
from sharon.extensions import db, limiter
from sharon.forms import ButtonForm, add_error
from sharon.infra.sessions import start_session
from sharon.permissions import Action, require
from sharon.refusals import Refused
from sharon.sanctions import services as sanctions

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("/")
@require(Action.MANAGE_OWN_ACCOUNT)
def overview() -> str:
    """This person's own account page, with anything the team has asked of them."""
    return render_template("account/overview.html",
                           notices=sanctions.for_member(current_user), form=ButtonForm())


def _password_limit() -> str:
    return current_app.config["SHARON_SIGNIN_RATE_LIMIT"]


def _password_key() -> str:
    # Per account, not per address: the point is that a session left open somewhere
    # cannot be used to guess the current password, from however many addresses.
    user = current_user
    return f"password:{user.id}" if user.is_authenticated else f"password:{request.remote_addr}"


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(_password_limit, methods=["POST"], key_func=_password_key)
@require(Action.MANAGE_OWN_ACCOUNT)
def password() -> str | Response:
    """Change one's own password; other sessions are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            auth.change_password(current_user, form.current.data, form.password.data)
        except Refused as refused:
            db.session.rollback()
            target = form.current if refused.code == "bad_credentials" else form.password
            add_error(target, refused.message)
        else:
            db.session.commit()
            start_session(current_user._get_current_object())  # this session stays; others end
            flash("Your password has been changed. Any other devices have been signed out.",
                  "success")
            return redirect(url_for("account.overview"))
    return render_template("account/password.html", form=form), 400 if form.errors else 200
