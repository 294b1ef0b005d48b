"""Forum settings pages: a person's muted words, and admins' categories."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon import writes
from sharon.admin.services import all_networks
from sharon.content import clean_text
from sharon.extensions import db
from sharon.forms import ButtonForm, add_error, options, text_arg
from sharon.forums import categories as category_services
from sharon.forums.forms import CategoryForm, MutedWordForm
from sharon.forums.views import bp
from sharon.models import Category, MutedWord
from sharon.models.forums import AUDIENCE_LABELS
from sharon.permissions import Action, require
from sharon.refusals import Refused

MAX_MUTED_WORDS = 50


@bp.route("/muted-words", methods=["GET", "POST"])
@require(Action.READ_COMMUNITY)
def muted_words() -> str | Response:
    """A person's own muted words: posts containing them are folded away for them only."""
    form = MutedWordForm()
    words = db.session.scalars(sa.select(MutedWord).where(MutedWord.user_id == current_user.id)
                               .order_by(MutedWord.term)).all()
    if form.validate_on_submit():
        term = " ".join(clean_text(form.term.data).split()).lower()
        try:
            writes.save_once(form.submission.data, current_user, lambda: _mute(term),
                             lambda _: url_for("forums.muted_words"))
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            add_error(form.term, refused.message)
        else:
            flash(f"Posts containing “{term}” will be collapsed for you.", "success")
            return redirect(url_for("forums.muted_words"))
    return render_template("forums/muted_words.html", form=form, words=words,
                           remove_form=ButtonForm()), 400 if form.errors else 200


def _mute(term: str) -> None:
    """Add a muted word for the signed-in person; the check runs again after a race."""
    words = db.session.scalars(sa.select(MutedWord.term).where(
        MutedWord.user_id == current_user.id)).all()
    if not term:
        raise Refused("empty", "Enter a word or phrase.")
    if term in words:
        raise Refused("duplicate", "You have already muted that.")
    if len(words) >= MAX_MUTED_WORDS:
        raise Refused("too_many", f"You can mute up to {MAX_MUTED_WORDS} words.")
    db.session.add(MutedWord(user_id=current_user.id, term=term))
    db.session.flush()


@bp.post("/muted-words/remove")
@require(Action.READ_COMMUNITY)
def unmute_word() -> Response:
    """Remove one of one's muted words."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    word = db.session.get(MutedWord, (current_user.id, text_arg("term", 60, source="form")))
    if word:
        db.session.delete(word)
        db.session.commit()
        flash(f"“{word.term}” is no longer muted.", "success")
    return redirect(url_for("forums.muted_words"))


@bp.route("/manage/categories", methods=["GET", "POST"])
@require(Action.MANAGE_CATEGORIES)
def manage_categories() -> str | Response:
    """Admins list and add categories."""
    form = CategoryForm()
    form.network_id.choices = options((n.id, n.name) for n in all_networks())
    if form.validate_on_submit():
        try:
            category = writes.save_once(
                form.submission.data, current_user,
                lambda: category_services.create(
                    current_user, form.network_id.data, form.name.data,
                    form.description.data or "",
                    form.position.data, form.audience.data),
                lambda c: url_for("forums.edit_category", category_id=c.id))
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            add_error(form.name, refused.message)
        else:
            flash(f"Category {category.name} created.", "success")
            return redirect(url_for("forums.manage_categories"))
    categories = db.session.scalars(sa.select(Category).order_by(
        Category.network_id, Category.position, Category.name)).all()
    return render_template("forums/manage_categories.html", form=form, categories=categories,
                           audiences=AUDIENCE_LABELS), 400 if form.errors else 200


@bp.route("/manage/categories/<int:category_id>", methods=["GET", "POST"])
@require(Action.MANAGE_CATEGORIES)
def edit_category(category_id: int) -> str | Response:
    """Admins rename, move or re-audience a category."""
    category = db.session.get(Category, category_id)
    if category is None:
        abort(404)
    form = CategoryForm(obj=category)
    form.network_id.choices = options((n.id, n.name) for n in all_networks())
    if form.validate_on_submit():
        try:
            category_services.update(current_user, category, form.network_id.data, form.name.data,
                                     form.description.data or "", form.position.data,
                                     form.audience.data)
        except Refused as refused:
            db.session.rollback()
            add_error(form.name, refused.message)
        else:
            db.session.commit()
            flash(f"Category {category.name} saved.", "success")
            return redirect(url_for("forums.manage_categories"))
    return render_template("forums/edit_category.html", form=form, category=category), \
        400 if form.errors else 200
