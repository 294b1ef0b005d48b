"""The moderation queue, the audit log and the watched-words page."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import NamedTuple

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from sharon import safety, writes
from sharon.extensions import db
from sharon.forms import ButtonForm, add_error, text_arg
from sharon.infra import bounds, clock
from sharon.infra.templating import LONDON, in_words
from sharon.models import Audit, ModerationItem, WatchedWord
from sharon.models.moderation import ItemKind, Outcome, RiskLevel
from sharon.moderation import audit, dashboard, services, words
from sharon.moderation.forms import ACTION_LABELS, TrySentenceForm, WatchedWordForm
from sharon.moderation.subjects import Subject, subject, team_on_duty
from sharon.permissions import Action, can, require
from sharon.refusals import Refused

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


class Row(NamedTuple):
    """One queue item with what its area says about its subject."""

    item: ModerationItem
    subject: Subject
    link: str | None
    review_url: str | None  # set while the subject still waits for approval


def rows(items: Sequence[ModerationItem]) -> list[Row]:
    """The items with their subjects' links, asking each area once for what is still held."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for item in items:
        by_type[item.subject_type].append(item.subject_id)
    held = {name: subject(name).held(ids) if subject(name).held else set()  # type: ignore[misc]
            for name, ids in by_type.items()}
    found = []
    for item in items:
        about = subject(item.subject_type)
        waiting = about.review_url is not None and item.subject_id in held[item.subject_type]
        found.append(Row(item, about, about.link(item.subject_id) if about.link else None,
                         about.review_url(item.subject_id) if waiting else None))
    return found


class Card(NamedTuple):
    """Everything open about one post or message, as one card: its items most urgent
    first, so the card takes its most urgent item's place in the queue."""

    items: list[Row]
    auto_hidden: bool  # hidden automatically after reports, and nobody has looked since

    @property
    def lead(self) -> Row:
        """The most urgent item: its badge, title and waiting time head the card."""
        return self.items[0]

    @property
    def reports(self) -> list[ModerationItem]:
        """The card's reports, worked and closed together."""
        return [row.item for row in self.items if row.item.kind == ItemKind.REPORT]

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """Each report reason with how many gave it, the commonest first."""
        return Counter(item.reason or "no reason given" for item in self.reports).most_common()

    @property
    def reporters(self) -> list[str]:
        """Who reported it, each name once, in the order they did."""
        names = [row.item.reporter.username for row in self.items if row.item.reporter]
        return list(dict.fromkeys(names))

    @property
    def risky(self) -> bool:
        """Does a risk flag sit on it? Then the page suggests rejecting it."""
        return any(row.item.kind == ItemKind.RISK for row in self.items)

    @property
    def review_url(self) -> str | None:
        """Where the card's held content is approved or rejected, while it waits."""
        return next((row.review_url for row in self.items if row.review_url), None)

    @property
    def workable(self) -> list[Row]:
        """The items worked one by one: every item but the reports, which are worked
        together through the first of them (closing it can close the others)."""
        first_report = next((row for row in self.items if row.item.kind == ItemKind.REPORT),
                            None)
        return [row for row in self.items
                if row.item.kind != ItemKind.REPORT or row is first_report]


def cards(found: Sequence[Row]) -> list[Card]:
    """The rows grouped by what they are about, in the order of each group's first row
    (the queue's order: most urgent, then longest waiting)."""
    groups: dict[tuple[str, int], list[Row]] = {}
    for row in found:
        groups.setdefault((row.item.subject_type, row.item.subject_id), []).append(row)
    hidden = services.auto_hidden(groups)
    return [Card(group, key in hidden) for key, group in groups.items()]


@bp.get("/")
@require(Action.VIEW_MODERATION_QUEUE)
def queue() -> str:
    """The moderation queue, most urgent first, one card per post or message."""
    now = clock.now()
    return render_template("moderation/queue.html", cards=cards(rows(services.open_items())),
                           now=now, form=ButtonForm(), outcomes=list(Outcome),
                           closes_risk=can(current_user, Action.HANDLE_RISK),
                           risk_levels=list(RiskLevel), claim_of=services.claim_of,
                           overdue=services.overdue, waiting=in_words,
                           team_on_duty=team_on_duty(now))


def _open_item(item_id: int) -> ModerationItem:
    """The item a queue form is about, after its CSRF token checks out."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    item = db.session.get(ModerationItem, item_id)
    if item is None:
        abort(404)
    return item


def _act(change: Callable[[], object], done: str) -> Response:
    """Run one change to an item: commit and say so, or roll back and say why not."""
    try:
        change()
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("moderation.queue"))


@bp.post("/items/<int:item_id>/handled")
@require(Action.VIEW_MODERATION_QUEUE)
def handled(item_id: int) -> Response:
    """Close a queue item with what was done."""
    item = _open_item(item_id)
    outcome = text_arg("outcome", 40, source="form")
    note = text_arg("note", services.NOTE_MAX + 1, source="form")
    # A card's reports are closed together: the others about the same subject close
    # with the same outcome, unless the moderator unticks "close the other reports".
    others = [other for other in services.open_reports(item.subject_type, item.subject_id)
              if other.id != item.id
              ] if item.kind == ItemKind.REPORT and request.form.get("with_reports") else []

    def close_all() -> None:
        for each in [item, *others]:
            services.handle(each, current_user, outcome, note)

    return _act(close_all, "Closed, with what was done recorded." if not others else
                f"Closed, with what was done recorded, with {len(others)} other "
                f"report{'s' if len(others) > 1 else ''} about it.")


@bp.post("/items/<int:item_id>/claim")
@require(Action.VIEW_MODERATION_QUEUE)
def claim(item_id: int) -> Response:
    """Take an item to work on: the rest of the team sees who has it."""
    item = _open_item(item_id)
    return _act(lambda: services.claim(item, current_user),
                "It is yours: the rest of the team can see you are working on it.")


@bp.post("/items/<int:item_id>/release")
@require(Action.VIEW_MODERATION_QUEUE)
def release(item_id: int) -> Response:
    """Give an item back to the queue."""
    item = _open_item(item_id)
    return _act(lambda: services.release(item, current_user), "Given back to the queue.")


@bp.post("/items/<int:item_id>/level")
@require(Action.VIEW_MODERATION_QUEUE)
def risk_level(item_id: int) -> Response:
    """Change a risk flag's level (low, medium, high)."""
    item = _open_item(item_id)
    return _act(lambda: services.set_risk_level(
        item, current_user, text_arg("level", 10, source="form")), "Risk level changed.")


@bp.post("/items/<int:item_id>/escalate")
@require(Action.VIEW_MODERATION_QUEUE)
def escalate(item_id: int) -> Response:
    """Pass a risk flag to the clinicians, who are alerted now."""
    item = _open_item(item_id)
    return _act(lambda: services.escalate(
        item, current_user, text_arg("note", services.NOTE_MAX + 1, source="form")),
        "Escalated: the clinicians have been alerted.")


@bp.get("/dashboard")
@require(Action.VIEW_MODERATION_QUEUE)
def team_dashboard() -> str:
    """The team's week at a glance: charts drawn on the server, each with its table."""
    return render_template("moderation/dashboard.html", **dashboard.figures(clock.now()))


@bp.get("/audit")
@require(Action.READ_AUDIT_LOG)
def audit_log() -> tuple[str, int]:
    """The audit log, newest first, filtered by person, action, dates and target."""
    wanted, errors = audit.parse(request.args)
    before = bounds.int_arg("before", 0, 0, bounds.MAX_ID) or None
    rows, next_before = audit.page(wanted, before)
    return render_template("moderation/audit.html", rows=rows, wanted=wanted, errors=errors,
                           next_before=next_before, first_page=before is None,
                           actions=sorted(Audit, key=lambda a: a.value),
                           subject=subject), 400 if errors else 200


@bp.get("/audit.csv")
@require(Action.READ_AUDIT_LOG)
def audit_csv() -> Response:
    """The filtered audit log as a CSV file, streamed however long it is."""
    wanted, errors = audit.parse(request.args)
    if errors:
        abort(400)
    stamp = clock.now().astimezone(LONDON).strftime("%Y-%m-%d")
    return Response(stream_with_context(audit.csv_lines(wanted)), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="sharon-audit-{stamp}.csv"',
                             "Cache-Control": "no-store"})


@bp.route("/words", methods=["GET", "POST"])
@require(Action.EDIT_WATCHED_WORDS)
def watched_words() -> str | Response:
    """Clinicians see, add and try watched words."""
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
    """Remove a watched word."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    word = db.session.get(WatchedWord, word_id)
    if word is None:
        abort(404)
    words.remove(current_user, word)
    db.session.commit()
    flash(f"“{word.term}” removed from the watched words.", "success")
    return redirect(url_for("moderation.watched_words"))
