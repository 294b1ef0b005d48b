"""Clinicians issue invitation codes, see what became of them, and withdraw open ones."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon import writes
from sharon.admin.services import all_networks
from sharon.extensions import db
from sharon.forms import ButtonForm, add_error, options
from sharon.infra import clock
from sharon.invitations import services, slip
from sharon.invitations.forms import InvitationForm
from sharon.models import Invitation, Role
from sharon.permissions import Action, can, require
from sharon.refusals import Refused

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


@bp.get("/")
@require(Action.ISSUE_INVITATIONS)
def index() -> str:
    """Invitations issued, with their state (open, used, expired, withdrawn)."""
    see_all = can(current_user, Action.MANAGE_STAFF)
    return render_template(
        "invitations/index.html",
        invitations=services.listed_for(current_user, see_all),
        see_all=see_all,
        now=clock.now(),
        revoke_form=ButtonForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@require(Action.ISSUE_INVITATIONS)
def new() -> str | Response:
    """Issue an invitation; its code is shown once, on this response only."""
    form = InvitationForm()
    networks = all_networks()
    form.networks.choices = options((n.id, n.name) for n in networks)
    if not form.is_submitted():
        form.days.data = current_app.config["SHARON_INVITE_DAYS"]
        if len(networks) == 1:
            form.networks.data = [networks[0].id]
    if form.validate_on_submit():
        wanted = services.NewInvitation(role=Role(form.role.data), network_ids=form.networks.data,
                                        days=form.days.data, note=form.note.data or "")
        try:
            # Sent twice, it makes one invitation; the second answer goes to the list
            # (the code itself was shown once, to the first, and is stored nowhere).
            invitation, code = writes.save_once(
                form.submission.data, current_user,
                lambda: services.issue(current_user, wanted),
                lambda made: url_for("invitations.index") + f"#invitation-{made[0].id}")
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            add_error(form.networks, refused.message)
        else:
            return created(invitation, code)
    return render_template("invitations/new.html", form=form), 400 if form.errors else 200


def created(invitation: Invitation, code: str) -> Response:
    """The code, once, with its printable slip: both are made from this response only, so
    the plain code is stored nowhere, and no cache may keep it."""
    link = url_for("auth.join", code=code, _external=True)
    response = make_response(render_template(
        "invitations/created.html", invitation=invitation, code=code, link=link,
        qr=slip.qr_svg(link)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:invitation_id>/revoke")
@require(Action.ISSUE_INVITATIONS)
def revoke(invitation_id: int) -> Response:
    """Withdraw an open invitation."""
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    try:
        services.revoke(current_user, invitation)
    except Refused as refused:
        db.session.rollback()
        if refused.code == "forbidden":
            abort(403)
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash("The invitation has been withdrawn. The code no longer works.", "success")
    return redirect(url_for("invitations.index"))
