"""The sanctions ladder's pages: a person's history for the team (with giving and
lifting), and the member's own acknowledgement of a warning."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon import writes
from sharon.extensions import db
from sharon.forms import ButtonForm, add_error
from sharon.infra import clock
from sharon.models import ModerationItem, Sanction, User
from sharon.moderation.subjects import subject
from sharon.permissions import Action, require
from sharon.refusals import Refused
from sharon.sanctions import services
from sharon.sanctions.forms import SanctionForm

bp = Blueprint("sanctions", __name__)


def _person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _page(person: User, form: SanctionForm) -> tuple[str, int]:
    """The person's history, with the form to give a sanction (and its errors)."""
    items = db.session.scalars(
        sa.select(ModerationItem).where(ModerationItem.subject_author_id == person.id)
        .order_by(ModerationItem.created_at.desc()).limit(20)).all()
    return render_template(
        "sanctions/person.html", person=person, form=form, now=clock.now(),
        history=services.history(person), items=items, subject=subject,
        lift_form=ButtonForm(), may_give={
            kind: _may(person, kind) for kind in ("warn", "mute", "suspend", "remove")},
    ), 400 if form.errors else 200


def _may(person: User, kind: str) -> bool:
    """Offer only the rungs this moderator may give this person."""
    try:
        services.check_may_sanction(current_user, person, services.SanctionKind(kind))
    except Refused:
        return False
    return True


@bp.route("/moderation/people/<int:user_id>", methods=["GET", "POST"])
@require(Action.VIEW_MODERATION_QUEUE)
def person(user_id: int) -> tuple[str, int] | Response:
    """A person's sanctions and queue items, for the team; giving a sanction is posted
    here (the service decides who may give which rung to whom)."""
    target = _person(user_id)
    form = SanctionForm()
    if form.validate_on_submit():
        try:
            sanction = writes.save_once(
                form.submission.data, current_user,
                lambda: services.give(current_user, target, form.kind.data, form.reason.data,
                                      minutes=int(form.minutes.data or 0), until=form.ends()),
                lambda _: url_for("sanctions.person", user_id=target.id))
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            add_error(form.kind, refused.message)
        else:
            flash(f"{sanction.kind_enum.label}: {target.username} has been told why.",
                  "success")
            return redirect(url_for("sanctions.person", user_id=target.id))
    return _page(target, form)


@bp.post("/moderation/people/<int:user_id>/sanctions/<int:sanction_id>/lift")
@require(Action.VIEW_MODERATION_QUEUE)
def lift(user_id: int, sanction_id: int) -> Response:
    """End a sanction early."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    sanction = db.session.get(Sanction, sanction_id)
    if sanction is None or sanction.user_id != user_id:
        abort(404)
    try:
        services.lift(current_user, sanction)
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash("Lifted.", "success")
    return redirect(url_for("sanctions.person", user_id=user_id))


@bp.post("/account/notices/<int:sanction_id>/read")
@require(Action.MANAGE_OWN_ACCOUNT)
def acknowledge(sanction_id: int) -> Response:
    """The member confirms they have read the team's warning, and may post again."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.acknowledge(current_user, sanction_id)
    except Refused:
        abort(404)
    db.session.commit()
    flash("Thank you for reading it. You can post again.", "success")
    return redirect(url_for("account.overview"))

