"""The moderation queue (a simple list for now) and the watched-words page."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon import clock
from sharon.extensions import db
from sharon.forms import ButtonForm, add_error
from sharon.models import MessageStatus, ModerationItem, WallMessage, WatchedWord
from sharon.moderation import services, words
from sharon.moderation.forms import ACTION_LABELS, WatchedWordForm
from sharon.permissions import Action, require
from sharon.refusals import Refused

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def subject_url(item: ModerationItem) -> str | None:
    """Where a moderator goes to see the thing an item is about."""
    if item.subject_type == "post":
        return url_for("forums.post", post_id=item.subject_id)
    if item.subject_type == "thread":
        return url_for("forums.thread", thread_id=item.subject_id)
    return services.SUBJECT_LINKS.get(item.subject_type, lambda _id: None)(item.subject_id)


@bp.get("/")
@require(Action.VIEW_MODERATION_QUEUE)
def queue() -> str:
    items = services.open_items()
    return render_template("moderation/queue.html", items=items, now=clock.now(),
                           subject_url=subject_url, form=ButtonForm(),
                           held_wall_ids=held_wall_messages(items))


def held_wall_messages(items: Sequence[ModerationItem]) -> set[int]:
    """Which of these items are about Wall messages still waiting for approval."""
    ids = [i.subject_id for i in items if i.subject_type == "wall_message"]
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(WallMessage.id).where(
        WallMessage.id.in_(ids), WallMessage.status == MessageStatus.HELD)))


@bp.post("/items/<int:item_id>/handled")
@require(Action.VIEW_MODERATION_QUEUE)
def handled(item_id: int) -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    item = db.session.get(ModerationItem, item_id)
    if item is None:
        abort(404)
    if item.handled_at is None:
        services.handle(item, current_user, request.form.get("outcome", "")[:200] or "handled")
        db.session.commit()
        flash("Marked as handled.", "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/words", methods=["GET", "POST"])
@require(Action.EDIT_WATCHED_WORDS)
def watched_words() -> str | Response:
    form = WatchedWordForm()
    if form.validate_on_submit():
        try:
            word = words.add(current_user, form.term.data, form.action.data,
                             bool(form.is_risk.data))
        except Refused as refused:
            db.session.rollback()
            add_error(form.term, refused.message)
        else:
            db.session.commit()
            flash(f"“{word.term}” added to the watched words.", "success")
            return redirect(url_for("moderation.watched_words"))
    return render_template("moderation/words.html", form=form, words=words.all_words(),
                           labels=ACTION_LABELS, remove_form=ButtonForm()), \
        400 if form.errors else 200


@bp.post("/words/<int:word_id>/remove")
@require(Action.EDIT_WATCHED_WORDS)
def remove_word(word_id: int) -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    word = db.session.get(WatchedWord, word_id)
    if word is None:
        abort(404)
    words.remove(current_user, word)
    db.session.commit()
    flash(f"“{word.term}” removed from the watched words.", "success")
    return redirect(url_for("moderation.watched_words"))
