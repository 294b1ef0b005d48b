"""The moderation queue (a simple list for now) and the watched-words page."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon import clock, safety, writes
from sharon.extensions import db
from sharon.forms import ButtonForm, add_error, text_arg
from sharon.models import MessageStatus, ModerationItem, WallMessage, WatchedWord
from sharon.moderation import services, words
from sharon.moderation.forms import ACTION_LABELS, TrySentenceForm, WatchedWordForm
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
        services.handle(item, current_user, text_arg("outcome", 200, source="form") or "handled")
        db.session.commit()
        flash("Marked as handled.", "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/words", methods=["GET", "POST"])
@require(Action.EDIT_WATCHED_WORDS)
def watched_words() -> str | Response:
    form = WatchedWordForm()
    families = words.families()
    form.family.choices = [("", "No family: choose what happens below")] + [
        (str(f.id), f.title) for f in families]
    if form.validate_on_submit():
        family = next((f for f in families if str(f.id) == form.family.data), None)
        try:
            # Two clinicians adding one word at once: the second, run again, is told it
            # is already on the list.
            word = writes.save_once(
                form.submission.data, current_user,
                lambda: words.add(current_user, form.term.data, form.action.data or "",
                                  bool(form.is_risk.data), family),
                lambda _: url_for("moderation.watched_words"))
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            add_error(form.term, refused.message)
        else:
            flash(f"“{word.term}” added to the watched words.", "success")
            return redirect(url_for("moderation.watched_words"))
    trial_form = TrySentenceForm(request.args)
    trial = (words.try_sentence(current_user, trial_form.sentence.data)
             if trial_form.sentence.data and trial_form.validate() else None)
    return render_template("moderation/words.html", form=form, families=families,
                           loose=words.loose_words(), labels=ACTION_LABELS,
                           remove_form=ButtonForm(), trial_form=trial_form, trial=trial,
                           meaning=safety.meaning_status()), \
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
