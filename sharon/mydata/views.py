"""My data's pages. Thin: the services check who may, export and delete."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    stream_with_context,
    url_for,
)
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from sharon.extensions import db, limiter, per_person
from sharon.forms import add_error
from sharon.mydata import services
from sharon.mydata.forms import KEEP, DeleteAccountForm, DownloadForm
from sharon.permissions import Action, can, require
from sharon.refusals import Refused

bp = Blueprint("mydata", __name__, url_prefix="/account/data")

DELETED = ("Your account has been deleted, and you are signed out. Thank you for being part "
           "of SHaRON. Take care of yourself.")


def _user() -> Any:
    return current_user._get_current_object()


def _password_limit() -> str:
    # The password is asked for again here: the same limit as signing in.
    return current_app.config["SHARON_SIGNIN_RATE_LIMIT"]


@bp.get("/")
@require(Action.MANAGE_OWN_ACCOUNT)
def index() -> str:
    """What the download holds and what deleting does; the team is told to ask an admin."""
    return render_template("mydata/index.html", form=DownloadForm(),
                           may=can(_user(), Action.MANAGE_OWN_DATA))


@bp.post("/download")
@limiter.limit("5 per hour", methods=["POST"], key_func=per_person)
@require(Action.MANAGE_OWN_DATA)
def download() -> BaseResponse:
    """The signed-in person's own data as a zip, streamed as it is made; only from the
    button (sharon.mydata.forms.DownloadForm says why)."""
    form = DownloadForm()
    if not (form.validate_on_submit() and form.download.data):
        return redirect(url_for("mydata.index"), 303)
    user = _user()
    response = Response(stream_with_context(services.export(user)),
                        mimetype="application/zip")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{services.download_name(user)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@limiter.limit(_password_limit, methods=["POST"])
@require(Action.MANAGE_OWN_DATA)
def delete() -> tuple[str, int] | BaseResponse:
    """Delete the account, confirmed with username and password; then signed out."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(_user(), form.username.data, form.password.data,
                                    keep_posts=form.posts.data == KEEP)
        except Refused as refused:
            db.session.rollback()
            add_error(form.username if refused.code == "username" else form.password,
                      refused.message)
        else:
            db.session.commit()
            logout_user()
            # Nothing more to listen for (sharon.inbox.thanks.LISTEN).
            session.pop("listen_for_team", None)
            flash(DELETED, "success")
            return redirect(url_for("pages.home"), 303)
    return render_template("mydata/delete.html", form=form), 400 if form.errors else 200
