"""The Wall's pages: the live page (readable without JavaScript), its history, and the
staff pages for extra sessions, closures and the weekly schedule."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon import writes
from sharon.extensions import db
from sharon.forms import ButtonForm, add_error
from sharon.infra import bounds, clock, keyset
from sharon.infra.templating import london
from sharon.permissions import Action, can, require
from sharon.refusals import Refused
from sharon.wall import duty, handlers, hours, services, times
from sharon.wall.forms import ClosureForm, SessionForm, WeeklyForm

bp = Blueprint("wall", __name__, url_prefix="/wall")
# Every page that shows a Wall message writes its time the same way (sharon/wall/times.py).
bp.add_app_template_filter(times.message_time, "wall_time")
bp.add_app_template_filter(times.opening_words, "wall_opens")


@bp.get("/")
@require(Action.USE_WALL)
def page() -> str:
    """The Wall: the live page, or when it next opens."""
    state = services.status()
    sessions, closures = hours.upcoming(limit=5)
    seq = services.current_seq()  # before the messages: the page catches up from here
    # The latest messages only, however long the session has run: the rest load on request.
    shown = services.window()
    return render_template(
        "wall/page.html", status=state, seq=seq, window=shown, pinned=services.pinned(),
        waiting=services.own_held(current_user),
        is_moderator=can(current_user, Action.MODERATE),
        on_duty=duty.is_on_duty(current_user), mute=services.active_mute(current_user),
        next_change=hours.current().next_change, closures=closures,
        max_length=services.MAX_LENGTH, page_size=services.PAGE,
        ask_team=can(current_user, Action.ASK_THE_TEAM))


def _id_arg(name: str) -> int | None:
    """A message id from the query string; missing, not a number or out of range is None."""
    value = bounds.int_arg(name, 0, 0, bounds.MAX_ID)
    return value or None


@bp.get("/earlier")
@require(Action.USE_WALL)
def earlier() -> str | Response:
    """Earlier messages, a page at a time (?before=<id>), and back towards the latest
    (?after=<id>): the "Show earlier messages" link without JavaScript."""
    before, after = _id_arg("before"), _id_arg("after")
    if before is None and after is None:
        return redirect(url_for("wall.page"))
    shown = services.window(before=before) if before is not None else \
        services.window(after=after)
    return render_template("wall/earlier.html", window=shown,
                           is_moderator=can(current_user, Action.MODERATE))


@bp.get("/earlier.json")
@require(Action.USE_WALL)
def earlier_data() -> Response | tuple[Response, int]:
    """The messages just before one (?before=<id>), oldest first, for the page's "Show
    earlier messages" button; each as the `message` event carries it."""
    before = _id_arg("before")
    if before is None:
        return jsonify(error="not_found", message="Say which message to go back from."), 400
    shown = services.window(before=before)
    response = jsonify(messages=[services.message_payload(m) for m in shown.messages],
                       earlier=shown.earlier)
    response.headers["Cache-Control"] = "no-store"
    return response


# What a moderator sees after each action taken from a message's Actions without JavaScript.
MODERATED = {
    "hide": "Hidden: the message is no longer on the Wall.",
    "pin": "Pinned: the message is at the top of the Wall.",
    "unpin": "Unpinned: the message is back in the conversation only.",
}


@bp.post("/messages/<int:message_id>/moderate")
@require(Action.MODERATE)
def moderate(message_id: int) -> Response:
    """Hide, pin or unpin a message from its Actions, without JavaScript; the Wall's open
    pages hear of it as they do from the socket. (Bringing a hidden message back is on
    the team's panel, which needs JavaScript, as the hidden messages are listed only there.)"""
    action = request.form.get("action")
    if not ButtonForm().validate_on_submit() or action not in MODERATED:
        abort(400)
    try:
        if action == "hide":
            message = services.do_set_hidden(current_user, message_id, True)
            handlers.announce_hidden(message)
        else:
            message = services.do_set_pinned(current_user, message_id, action == "pin")
            handlers.announce_pinned(message)
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash(MODERATED[action], "success")
    # Back where the moderator was: the Wall, or the page of earlier messages they acted on.
    before = bounds.int_arg("before", 0, 0, bounds.MAX_ID, request.form)
    back = url_for("wall.earlier", before=before) if before else url_for("wall.page")
    return redirect(back if action == "hide" else f"{back}#message-{message_id}")


@bp.get("/history")
@require(Action.USE_WALL)
def history() -> tuple[str, int] | Response:
    """Past Wall sessions' messages, newest first, a page at a time by keyset ("Newer
    messages" and "Older messages" carry a signed message id); a changed page link shows
    the first page with a 400, and an old numbered link (`?page=3`) goes to the first page."""
    if keyset.old_page_link():
        return redirect(url_for("wall.history"))
    cursor, bad = keyset.cursor_args("wall-history", services.HISTORY_KEY)
    window = services.history(cursor)
    # One section a day (in UK time): sessions are daytime, so a day is a session or two.
    days = [(day, list(group)) for day, group in groupby(
        window.items, key=lambda m: london(m.created_at, "%A %-d %B %Y"))]
    return render_template("wall/history.html", days=days, window=window,
                           first_page=window.newer is None,
                           bad_link=keyset.BAD_LINK if bad else None), 400 if bad else 200


@bp.post("/messages/<int:message_id>/review")
@require(Action.MODERATE)
def review(message_id: int) -> Response:
    """Approve or reject a held message from the moderation queue, without JavaScript."""
    action = request.form.get("action")
    if not ButtonForm().validate_on_submit() or action not in ("approve", "reject"):
        abort(400)
    try:
        message = services.do_review(current_user, message_id, action == "approve")
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        handlers.announce_review(message)
        db.session.commit()
        flash("Approved: the message is on the Wall now." if action == "approve" else
              "Rejected: its author has been told.", "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/sessions", methods=["GET", "POST"])
@require(Action.MANAGE_WALL_SESSIONS)
def sessions() -> str | Response | tuple[str, int]:
    """Clinicians add extra sessions and closures."""
    session_form = SessionForm(prefix="session")
    closure_form = ClosureForm(prefix="closure")
    submitted = None
    if request.method == "POST":
        if "session-day" in request.form:
            submitted = session_form
            if session_form.validate():
                try:
                    writes.save_once(
                        session_form.submission.data, current_user,
                        lambda: hours.do_add_session(
                            current_user,
                            hours.london_to_utc(session_form.day.data,
                                                session_form.starts.data),
                            hours.london_to_utc(session_form.day.data, session_form.ends.data),
                            session_form.note.data or ""),
                        lambda _: url_for("wall.sessions"))
                except writes.AlreadySent as sent:
                    return sent.response()
                except Refused as refused:
                    db.session.rollback()
                    add_error(session_form.day, refused.message)
                else:
                    flash("Extra session added.", "success")
                    return redirect(url_for("wall.sessions"))
        else:
            submitted = closure_form
            if closure_form.validate():
                try:
                    writes.save_once(
                        closure_form.submission.data, current_user,
                        lambda: hours.do_add_closure(current_user, closure_form.starts_on.data,
                                                     closure_form.ends_on.data,
                                                     closure_form.reason.data),
                        lambda _: url_for("wall.sessions"))
                except writes.AlreadySent as sent:
                    return sent.response()
                except Refused as refused:
                    db.session.rollback()
                    add_error(closure_form.starts_on, refused.message)
                else:
                    flash("Closure added.", "success")
                    return redirect(url_for("wall.sessions"))
    upcoming_sessions, closures = hours.upcoming()
    body = render_template(
        "wall/sessions.html", session_form=session_form, closure_form=closure_form,
        sessions=upcoming_sessions, closures=closures, remove_form=ButtonForm(),
        bank_holidays=hours.upcoming_bank_holidays(), state=hours.current(),
        weekly=_weekly_rows(), can_edit_hours=can(current_user, Action.MANAGE_OFFICE_HOURS),
        nation=hours.nation_name())
    return (body, 400) if submitted is not None and submitted.errors else body


@bp.post("/<any(session, closure):kind>/<int:item_id>/remove")
@require(Action.MANAGE_WALL_SESSIONS)
def remove(kind: str, item_id: int) -> Response:
    """Remove an extra session or a closure."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        hours.do_remove(current_user, kind, item_id)
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash("Extra session removed." if kind == "session" else "Closure removed.", "success")
    return redirect(url_for("wall.sessions"))


def _weekly_rows() -> list[tuple[str, list[tuple[str, str]]]]:
    from sharon.models import WallHours

    rows = db.session.scalars(db.select(WallHours).order_by(WallHours.weekday,
                                                            WallHours.opens)).all()
    return [(name, [(r.opens.strftime("%H:%M"), r.closes.strftime("%H:%M"))
                    for r in rows if r.weekday == day])
            for day, name in enumerate(hours.WEEKDAYS)]


@bp.route("/hours", methods=["GET", "POST"])
@require(Action.MANAGE_OFFICE_HOURS)
def weekly() -> str | Response | tuple[str, int]:
    """Admins set the weekly office hours."""
    from sharon.models import WallHours

    form = WeeklyForm()
    if not form.is_submitted():
        rows = {r.weekday: r for r in db.session.scalars(db.select(WallHours))}
        for day, entry in enumerate(form.days):
            row = rows.get(day)
            entry.form.opens.data = row.opens if row else None
            entry.form.closes.data = row.closes if row else None
    if form.validate_on_submit():
        periods = [(day, entry.form.opens.data, entry.form.closes.data)
                   for day, entry in enumerate(form.days) if entry.form.opens.data]
        try:
            hours.do_set_weekly(current_user, periods)
        except Refused as refused:
            db.session.rollback()
            flash(refused.message, "error")
        else:
            db.session.commit()
            flash("Office hours saved." if periods else
                  "Office hours saved: the Wall has no weekly hours now.", "success")
            return redirect(url_for("wall.sessions"))
    body = render_template("wall/hours.html", form=form, weekdays=hours.WEEKDAYS,
                           now=clock.now())
    return (body, 400) if form.errors else body
