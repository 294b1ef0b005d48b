"""Staying well's pages: a person's own plan, check-ins and way back. Thin: parse, call a
service, commit, redirect with a message. Every page is for its owner only; anything
by id that is not theirs is a 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon import mail, writes
from sharon.extensions import db
from sharon.forms import ButtonForm, add_error, options
from sharon.inbox.thanks import tell_member
from sharon.infra import charts
from sharon.models import PlanKind
from sharon.permissions import Action, can, require
from sharon.refusals import Refused
from sharon.staying_well import services, sharing
from sharon.staying_well.forms import (
    CheckInForm,
    DraftForm,
    ListForm,
    NoticingForm,
    PeopleForm,
    SettingsForm,
    TellTheTeamForm,
)

bp = Blueprint("staying_well", __name__, url_prefix="/staying-well")
KEEP = Action.KEEP_A_STAYING_WELL_PLAN


def _user() -> Any:
    return current_user._get_current_object()


def _mail_possible() -> bool:
    return mail.configured(current_app.config) and bool(_user().email)


@bp.app_context_processor
def reminders() -> dict[str, Any]:
    """Lets any page (the home page) ask for the check-in reminder, worked out only when
    a template calls it."""

    def staying_well_reminder() -> services.Reminder | None:
        user = _user()
        return services.reminder(user) if user.is_authenticated else None

    return {"staying_well_reminder": staying_well_reminder}


# --- Overview and plan -------------------------------------------------------------------

@bp.get("/")
@require(KEEP)
def index() -> str:
    """Staying well: the way back when it is called for, the reminder, the plan and
    check-ins at a glance."""
    user = _user()
    return render_template(
        "staying_well/index.html", way_back=services.way_back(user), plan=services.plan(user),
        sections=services.SECTIONS, reminder=services.reminder(user),
        settings=services.settings_for(user), this_week=services.this_week(user),
        recent=services.history(user, weeks=1))


@bp.get("/plan")
@require(KEEP)
def plan() -> str:
    """The whole plan, ready to read or print, with the services to contact."""
    user = _user()
    mine = services.plan(user)
    return render_template("staying_well/plan.html", plan=mine, sections=services.SECTIONS,
                           noticing=_noticing_form(mine), remove=ButtonForm())


def _noticing_form(mine: dict[PlanKind, list[Any]], formdata: Any = None) -> NoticingForm:
    form = NoticingForm(formdata=formdata)
    form.signs.choices = options((str(i.id), i.text) for i in mine[PlanKind.WARNING_SIGN])
    return form


@bp.route("/plan/<kind>", methods=["GET", "POST"])
@require(KEEP)
def edit_section(kind: str) -> tuple[str, int] | Response:
    """Change one list of the plan (or the people on it)."""
    try:
        section = services.section_for(kind)
    except Refused:
        abort(404)
    if section.kind == PlanKind.PERSON:
        return _edit_people(section)
    user = _user()
    form = ListForm()
    form.lines.label.text = section.title
    if request.method == "GET":
        form.lines.data = "\n".join(i.text for i in services.plan(user)[section.kind])
    elif form.validate_on_submit():
        try:
            writes.save(lambda: services.set_list(user, section.kind, form.lines.data))
        except Refused as refused:
            db.session.rollback()
            add_error(form.lines, refused.message)
        else:
            flash(f"{section.title}: saved.", "success")
            return redirect(url_for("staying_well.plan") + f"#{section.kind.value}", 303)
    return render_template("staying_well/edit_section.html", form=form, section=section), \
        400 if form.errors else 200


def _edit_people(section: services.Section) -> tuple[str, int] | Response:
    user = _user()
    form = PeopleForm()
    if request.method == "GET":
        people = services.plan(user)[PlanKind.PERSON]
        form = PeopleForm(data={"people": [{"name": p.text, "how": p.detail} for p in people]})
    elif form.validate_on_submit():
        entered = [services.Person(row.form.name.data or "", row.form.how.data or "")
                   for row in form.people]
        try:
            writes.save(lambda: services.set_people(user, entered))
        except Refused as refused:
            db.session.rollback()
            form.form_errors.append(refused.message)
        else:
            flash(f"{section.title}: saved.", "success")
            return redirect(url_for("staying_well.plan") + f"#{section.kind.value}", 303)
    while len(form.people) < len([e for e in form.people if e.form.name.data]) + 2 and \
            len(form.people) < section.most:
        form.people.append_entry()
    return render_template("staying_well/edit_people.html", form=form, section=section), \
        400 if form.errors or form.form_errors else 200


@bp.post("/plan/items/<int:item_id>/remove")
@require(KEEP)
def remove_item(item_id: int) -> Response:
    """Take one line off the plan."""
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        item = services.remove_item(_user(), item_id)
    except Refused:
        abort(404)
    db.session.commit()
    # Not the line's words: a flashed message waits in the session cookie, which is
    # signed, not encrypted.
    flash("Removed one line from your plan.", "success")
    return redirect(url_for("staying_well.plan") + f"#{item.kind}", 303)


@bp.post("/plan/noticing")
@require(KEEP)
def noticing() -> tuple[str, int]:
    """The warning signs ticked on the plan page: the way back, at once. Nothing is
    stored, and nothing is sent to anyone."""
    user = _user()
    mine = services.plan(user)
    form = _noticing_form(mine, request.form)
    signs: list[str] = []
    if form.validate():
        try:
            signs = services.noticed(user, form.signs.data or [])
        except Refused as refused:
            add_error(form.signs, refused.message)
        if not signs and not form.signs.errors:
            add_error(form.signs, "Tick the warning signs you are noticing.")
    if form.errors:
        return render_template("staying_well/plan.html", plan=mine,
                               sections=services.SECTIONS, noticing=form,
                               remove=ButtonForm()), 400
    return _way_back_page(services.WayBack(False, tuple(signs)))


@bp.get("/way-back")
@require(KEEP)
def way_back() -> tuple[str, int]:
    """The way back, whenever someone wants it: their plan, self-referral, crisis
    contacts, and the offer to let the team know."""
    return _way_back_page(services.way_back(_user()))


def _way_back_page(reason: services.WayBack | None) -> tuple[str, int]:
    return render_template("staying_well/way_back.html", reason=reason,
                           plan=services.plan(_user()), sections=services.SECTIONS), 200


# --- Check-ins ---------------------------------------------------------------------------

@bp.route("/check-in", methods=["GET", "POST"])
@require(KEEP)
def check_in() -> tuple[str, int] | Response:
    """This week's check-in; a second in the same week replaces the first."""
    user = _user()
    if not services.checking_in(user):
        return render_template("staying_well/check_in_off.html"), 200
    signs = services.warning_signs(user)
    form = CheckInForm()
    form.signs.choices = options((str(s.id), s.text) for s in signs)
    if form.validate_on_submit():
        try:
            chosen = services.noticed(user, form.signs.data or [])
        except Refused as refused:
            add_error(form.signs, refused.message)
        else:
            answers = services.Answers(form.interest.data, form.low.data, form.nervous.data,
                                       form.worrying.data, form.mood.data,
                                       form.note.data or "", tuple(chosen))
            try:
                done = writes.save_once(form.submission.data, user,
                                        lambda: services.record(user, answers),
                                        lambda _: url_for("staying_well.history"))
            except writes.AlreadySent as already:
                return already.response("staying_well.history")
            except Refused as refused:
                db.session.rollback()
                add_error(form.note, refused.message)
            else:
                if done.replaced is not None:
                    flash("Thank you. This check-in replaced the one you sent on "
                          f"{services.day_label(done.replaced)}.", "success")
                else:
                    flash("Thank you for checking in.", "success")
                return redirect(url_for("staying_well.index"), 303)
    return render_template("staying_well/check_in.html", form=form,
                           questions=services.QUESTIONS, already=services.this_week(user),
                           day_label=services.day_label), 400 if form.errors else 200


@bp.route("/check-ins/settings", methods=["GET", "POST"])
@require(KEEP)
def settings() -> tuple[str, int] | Response:
    """Turn check-ins on, or change the day and the email reminder."""
    user = _user()
    found = services.settings_for(user)
    form = SettingsForm()
    if request.method == "GET" and found is not None and found.enabled:
        form = SettingsForm(formdata=None, weekday=str(found.weekday),
                            email_reminder=found.email_reminder)
    elif form.validate_on_submit():
        try:
            services.turn_on(user, form.weekday.data, form.email_reminder.data,
                             _mail_possible())
        except Refused as refused:
            db.session.rollback()
            add_error(form.email_reminder if refused.code == "no_mail" else form.weekday,
                      refused.message)
        else:
            db.session.commit()
            day = services.WEEKDAYS[int(form.weekday.data)]
            flash(f"Check-ins are on. We will remind you on {day}s.", "success")
            return redirect(url_for("staying_well.index"), 303)
    return render_template("staying_well/settings.html", form=form, settings=found,
                           mail_possible=_mail_possible(), off=ButtonForm()), \
        400 if form.errors else 200


@bp.post("/check-ins/turn-off")
@require(KEEP)
def turn_off() -> Response:
    """Turn check-ins off: no more reminders; the history stays until deleted."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.turn_off(_user())
    db.session.commit()
    flash("Check-ins are off. Your past check-ins are still here until you delete them.",
          "success")
    return redirect(url_for("staying_well.index"), 303)


@bp.get("/check-ins")
@require(KEEP)
def history() -> str:
    """Past check-ins: a chart of the last twelve weeks and a table of every one."""
    every = services.history(_user())
    shown = list(reversed(every[:services.HISTORY_WEEKS]))
    chart = charts.columns(
        "chart-check-ins",
        "Your check-in scores, oldest week first (the same numbers are in the table below)",
        [services.week_label(c.week) for c in shown],
        [charts.Series("PHQ-2 (0 to 6)", tuple(c.phq2 for c in shown), charts.BLUE),
         charts.Series("GAD-2 (0 to 6)", tuple(c.gad2 for c in shown), charts.PURPLE),
         charts.Series("Mood (0 to 10)", tuple(c.mood for c in shown), charts.GREEN)]) \
        if shown else None
    return render_template("staying_well/history.html", check_ins=every, chart=chart,
                           week_label=services.week_label, way_back=services.way_back(_user()),
                           settings=services.settings_for(_user()))


@bp.route("/check-ins/<int:check_in_id>/delete", methods=["GET", "POST"])
@require(KEEP)
def delete_check_in(check_in_id: int) -> str | Response:
    """Delete one check-in, after asking."""
    try:
        found = services.check_in_for(_user(), check_in_id)
    except Refused:
        abort(404)
    form = ButtonForm()
    if form.validate_on_submit():
        week = services.week_label(found.week)
        services.delete_check_in(_user(), check_in_id)
        db.session.commit()
        flash(f"Your check-in for the week of {week} is deleted.", "success")
        return redirect(url_for("staying_well.history"), 303)
    return render_template("staying_well/delete.html", form=form, one=found,
                           week=services.week_label(found.week))


@bp.route("/check-ins/delete-all", methods=["GET", "POST"])
@require(KEEP)
def delete_all() -> str | Response:
    """Delete every check-in, after asking."""
    form = ButtonForm()
    if form.validate_on_submit():
        count = services.delete_all_check_ins(_user())
        db.session.commit()
        flash(f"All your check-ins are deleted ({count}).", "success")
        return redirect(url_for("staying_well.history"), 303)
    return render_template("staying_well/delete.html", form=form, one=None,
                           count=len(services.history(_user())))


# --- Letting the team know ---------------------------------------------------------------

@bp.route("/tell-the-team", methods=["GET", "POST"])
@require(KEEP)
def tell_the_team() -> tuple[str, int] | Response:
    """Choose what to share, read and edit the message, and send it only if you press
    send: the one way anything here reaches the team."""
    user = _user()
    if not can(user, Action.ASK_THE_TEAM):
        abort(403)
    chooser = DraftForm(formdata=request.args if "include" in request.args else None)
    if "include" not in request.args:
        chooser.include.data = list(sharing.DEFAULT_PARTS)
    parts = sharing.chosen(chooser.include.data or [])
    form = TellTheTeamForm()
    if request.method == "GET":
        form = TellTheTeamForm(formdata=None, subject=sharing.SUBJECT,
                               body=sharing.draft(user, parts))
    elif form.validate_on_submit():
        try:
            sent = writes.save_once(
                form.submission.data, user,
                lambda: sharing.tell_the_team(user, form.subject.data or "",
                                              form.body.data or ""),
                lambda s: url_for("inbox.conversation", conversation_id=s.conversation.id))
        except writes.AlreadySent as already:
            return already.response("inbox.index")
        except Refused as refused:
            db.session.rollback()
            add_error(form.subject if refused.code.startswith("subject") else form.body,
                      refused.message)
        else:
            tell_member(sent)
            return redirect(url_for("inbox.conversation",
                                    conversation_id=sent.conversation.id), 303)
    return render_template("staying_well/tell_the_team.html", form=form, chooser=chooser,
                           parts=parts), 400 if form.errors else 200

