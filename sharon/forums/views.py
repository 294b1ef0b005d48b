"""The forums' pages. Thin: parse, call a service, commit, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from sharon import search, writes
from sharon.content import clean_text, render_markdown
from sharon.extensions import db, limiter, per_person
from sharon.forms import ButtonForm, add_error, new_token, text_arg
from sharon.forums import fragments, queries, services
from sharon.forums import moderation as forum_moderation
from sharon.forums.forms import (
    BODY_HINT,
    NOTE_HINT,
    EditForm,
    ModerateForm,
    ReplyForm,
    ReportForm,
    ThreadForm,
)
from sharon.infra import bounds, etags, keyset, remembered
from sharon.models import Category, Post, Thread
from sharon.models.forums import THREAD_KIND_LABELS
from sharon.moderation import services as moderation
from sharon.permissions import Action, can, require
from sharon.refusals import Refused
from sharon.wall import duty as wall_duty

bp = Blueprint("forums", __name__, url_prefix="/forums")


@bp.context_processor
def _team_watch() -> dict[str, object]:
    # One calm line on every forum page: who is watching live, or when they next are.
    return {"team_watch": wall_duty.team_watch}


def _page() -> int:
    return bounds.page_arg()


# Rate limits on writing, per person rather than per address: a whole clinic's members
# may share one. Every POST counts, refused ones too: a flood of refused risk words
# would otherwise flood the team's queue.
def _post_limit() -> str:
    return current_app.config["SHARON_POST_RATE_LIMIT"]


def _report_limit() -> str:
    return current_app.config["SHARON_REPORT_RATE_LIMIT"]


SLOW_POSTS = ("You have written a lot in a short time, so this was not saved. Please wait a "
              "few minutes and try again: your browser's Back button may still have your words.")
SLOW_REPORTS = ("You have sent a lot of reports in a short time, so this one was not sent. "
                "Please wait a few minutes and try again. If someone is in danger now, call 999.")
limit_posts = limiter.shared_limit(_post_limit, scope="forum-posts", key_func=per_person,
                                   methods=["POST"], error_message=SLOW_POSTS)
limit_reports = limiter.shared_limit(_report_limit, scope="forum-reports", key_func=per_person,
                                     methods=["POST"], error_message=SLOW_REPORTS)


def _tell_author(outcome: services.Outcome) -> None:
    if outcome.crisis:
        flash(" ".join(filter(None, [
            "It sounds like things may be hard right now. You don't have to wait for a "
            "reply: the people below can help straight away.",
            wall_duty.when_the_team_is_back()])), "crisis")
    if outcome.held:
        flash(services.HELD, "info")
    else:
        flash("Your post is published.", "success")


def _previewing(form: ReplyForm | ThreadForm) -> Markup | None:
    """The body as it would be published, when the Preview button sent the form: through
    the one Markdown and sanitiser path posts take, with nothing saved and the one-time
    token left unspent, so the real "Post" afterwards still goes through once."""
    if not form.is_submitted() or "preview" not in request.form:
        return None
    form.validate()  # for the CSRF and one-time tokens: a preview shows nothing else wrong
    for name, item in form._fields.items():
        if name not in ("csrf_token", "submission"):
            item.errors = []
    form.form_errors = []
    return render_markdown(clean_text(form.body.data or "").strip())


def _blocked(refused: Refused, text: str = "") -> None:
    """After a refusal: if the refused words spoke of risk, the author sees crisis contacts
    and the moderating team hears of it, though nothing was published."""
    if isinstance(refused, services.Blocked) and refused.verdict.risk:
        moderation.flag_refused_risk(current_user, "post", text, refused.verdict.matched)
        db.session.commit()
        flash(" ".join(filter(None, [
            "If you are struggling, you don't have to wait: the people below can help "
            "straight away.", wall_duty.when_the_team_is_back()])), "crisis")


@bp.get("/")
@require(Action.READ_COMMUNITY)
def index() -> str:
    """The forums' front page: the categories this person may read."""
    return render_template("forums/index.html", categories=queries.categories(current_user))


@bp.get("/c/<int:category_id>")
@require(Action.READ_COMMUNITY)
def category(category_id: int) -> tuple[str, int] | Response:
    """One category's threads, a page at a time by keyset ("Newer" and "Older")."""
    try:
        category = services.category_for(current_user, category_id)
    except Refused:
        abort(404)
    if keyset.old_page_link():
        return redirect(url_for("forums.category", category_id=category.id))
    cursor, bad = keyset.cursor_args("category", queries.THREAD_KEY)
    etag = None if bad else etags.for_page(
        "category", category.id, category.version, *queries.category_versions(
            current_user._get_current_object(), category), wall_duty.team_watch())
    if (not_modified := etags.unchanged(etag)) is not None:
        return not_modified
    window = queries.thread_listing(current_user, category, cursor)
    return etags.send(render_template(
        "forums/category.html", category=category, window=window, first_page=cursor.first,
        bad_link=keyset.BAD_LINK if bad else None, kinds=THREAD_KIND_LABELS), etag), \
        400 if bad else 200


@bp.route("/c/<int:category_id>/new", methods=["GET", "POST"])
@require(Action.POST)
@limit_posts
def new_thread(category_id: int) -> str | Response:
    """Start a thread (screened; may wait for approval, with crisis contacts if risky)."""
    try:
        category = services.category_for(current_user, category_id)
    except Refused:
        abort(404)
    form = ThreadForm()
    preview = _previewing(form)
    if preview is None and form.validate_on_submit():
        try:
            outcome = writes.save_once(
                form.submission.data, current_user,
                lambda: services.create_thread(current_user, category, form.title.data,
                                               form.kind.data, form.body.data,
                                               form.content_note.data),
                lambda o: url_for("forums.thread", thread_id=o.post.thread_id))
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            _blocked(refused, f"{form.title.data}\n{form.body.data}")
            field = form.title if refused.code == "title" else form.body
            add_error(field, refused.message)
        else:
            _tell_author(outcome)
            return redirect(url_for("forums.thread", thread_id=outcome.post.thread_id))
    return render_template("forums/new_thread.html", form=form, category=category,
                           body_hint=BODY_HINT, note_hint=NOTE_HINT,
                           preview=None if form.errors else preview), \
        400 if form.errors else 200


def _thread(thread_id: int):  # type: ignore[no-untyped-def]
    try:
        return services.thread_for(current_user._get_current_object(), thread_id)
    except Refused:
        abort(404)


@bp.get("/t/<int:thread_id>")
@require(Action.READ_COMMUNITY)
def thread(thread_id: int) -> Response:
    """One page of a thread, with the reply box; a 304 when the reader already has it."""
    found = queries.thread_page(current_user._get_current_object(), thread_id)
    if found is None:
        abort(404)
    thread, quote, etag = found.thread, None, None
    if request.args.get("quote"):
        quoted = bounds.id_arg("quote")
        if quoted is None:
            abort(404)
        try:
            quote = services.quote(services.post_for(current_user, quoted))
        except Refused:
            abort(404)
    else:  # a quote may come from any thread: that page is drawn every time
        etag = etags.for_page("thread", thread.id, thread.version, thread.category.name,
                              found.people, found.following, found.muted, found.categories,
                              wall_duty.team_watch())
        if (not_modified := etags.unchanged(etag)) is not None:
            return not_modified
    form = ReplyForm()
    if quote is not None:
        form.body.data = quote
    categories = queries.categories(current_user) if can(current_user, Action.MODERATE) else []
    return etags.send(_thread_page(thread, _page(), form, categories), etag)


class ReplyPiece(NamedTuple):
    """What the reply form's fields show apart from the form: the key of their
    remembered piece, used while they are blank."""

    body_hint: str = BODY_HINT
    note_hint: str = NOTE_HINT


REPLY = remembered.declare("forums/_reply.html", "reply_fields", ReplyPiece, helpers=(),
                         form=("body", "content_note"))


class ReplyBox(NamedTuple):
    """The reply box under a thread (forums/_reply.html's reply_box)."""

    state: str  # "open", "locked" (to this reader) or "closed" (hidden or held)
    action: str = ""
    fields: Markup = Markup()
    submission: str = ""  # the form's one-time token
    preview: Markup | None = None  # the reply as it would be published (Preview button)


def _reply_box(thread: Thread | queries.ThreadHead, form: ReplyForm, is_mod: bool,
               preview: Markup | None = None) -> ReplyBox:
    state = ("locked" if thread.locked and not is_mod else
             "closed" if thread.hidden or thread.held else "open")
    if state != "open":
        return ReplyBox(state)
    if form.body.data or form.content_note.data or form.errors:
        fields = Markup(get_template_attribute(REPLY.template, REPLY.macro)(ReplyPiece(), form))
    else:
        fields = remembered.render(REPLY, ReplyPiece(), form)
    return ReplyBox(state, url_for("forums.reply", thread_id=thread.id), fields,
                    form.submission.data or new_token(), preview)


def _thread_page(thread: Thread | queries.ThreadHead, page: int, form: ReplyForm,
                 move_categories: list[Category], preview: Markup | None = None) -> str:
    reader = current_user._get_current_object()  # not the proxy: used for every post
    is_mod = can(reader, Action.MODERATE)
    view = queries.thread_view(reader, thread, page)
    html = render_template("forums/thread.html", view=view, thread=thread, form=form,
                           posts_html=fragments.post_list(view, reader.id, is_mod),
                           reply=_reply_box(thread, form, is_mod, preview), is_mod=is_mod,
                           kinds=THREAD_KIND_LABELS, move_categories=move_categories)
    if view.marker_moved:  # written in this transaction (queries.thread_view)
        db.session.commit()
    return html


@bp.get("/t/<int:thread_id>/unread")
@require(Action.READ_COMMUNITY)
def unread(thread_id: int) -> Response:
    """Jump to the first post this person has not read."""
    thread = _thread(thread_id)
    page, post_id = queries.first_unread(current_user, thread)
    anchor = f"post-{post_id}" if post_id else None
    return redirect(url_for("forums.thread", thread_id=thread.id, page=page, _anchor=anchor))


@bp.post("/t/<int:thread_id>/reply")
@require(Action.POST)
@limit_posts
def reply(thread_id: int) -> str | Response:
    """Reply to a thread; sent twice, it posts once."""
    thread = _thread(thread_id)
    form = ReplyForm()
    preview = _previewing(form)
    if preview is not None and not form.errors:
        return _thread_page(thread, 10_000, form, [], preview)
    if preview is None and form.validate_on_submit():
        try:
            outcome = writes.save_once(
                form.submission.data, current_user,
                lambda: services.reply(current_user, thread, form.body.data,
                                       form.content_note.data),
                lambda o: url_for("forums.post", post_id=o.post.id))
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            _blocked(refused, form.body.data)
            add_error(form.body, refused.message)
        else:
            _tell_author(outcome)
            page = queries.page_of(current_user, thread, outcome.post.number)
            return redirect(url_for("forums.thread", thread_id=thread.id, page=page,
                                    _anchor=f"post-{outcome.post.id}"))
    return _thread_page(thread, 10_000, form, []), 400


def _post(post_id: int) -> Post:
    try:
        return services.post_for(current_user, post_id)
    except Refused:
        abort(404)


@bp.get("/p/<int:post_id>")
@require(Action.READ_COMMUNITY)
def post(post_id: int) -> Response:
    """Go to one post on its page of the thread."""
    post = _post(post_id)
    page = queries.page_of(current_user, post.thread, post.number)
    return redirect(url_for("forums.thread", thread_id=post.thread_id, page=page,
                            _anchor=f"post-{post.id}"))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@require(Action.POST)
@limit_posts
def edit(post_id: int) -> str | Response:
    """Edit one's own post; a clash with a newer edit is shown, not overwritten."""
    post = _post(post_id)
    if post.author_id != current_user.id:
        abort(403)
    form = EditForm()
    changed = False
    if request.method == "GET":
        form.body.data, form.content_note.data = post.body_source, post.content_note
        form.version.data = str(post.version)
    if form.validate_on_submit():
        try:
            outcome = writes.save(lambda: services.edit(
                current_user, post, form.body.data, form.content_note.data, form.based_on))
        except Refused as refused:
            db.session.rollback()
            if refused.code == "forbidden":
                abort(403)
            _blocked(refused, form.body.data)
            add_error(form.body, refused.message)
            if isinstance(refused, services.Changed):
                # Shown the post as it is now; sending again saves over that version.
                changed = True
                form.version.data = str(post.version)
        else:
            if outcome.crisis:
                _tell_author(outcome)
            elif outcome.held:
                flash(services.HELD, "info")
            else:
                flash("Your changes are saved.", "success")
            return redirect(url_for("forums.post", post_id=post.id))
    return render_template("forums/edit.html", form=form, post=post, body_hint=BODY_HINT,
                           note_hint=NOTE_HINT, changed=changed), \
        409 if changed else 400 if form.errors else 200


@bp.route("/p/<int:post_id>/delete", methods=["GET", "POST"])
@require(Action.POST)
def delete(post_id: int) -> str | Response:
    """Ask, then remove one's own post."""
    post = _post(post_id)
    if post.author_id != current_user.id:
        abort(403)
    form = ButtonForm()
    if form.validate_on_submit():
        services.delete(current_user, post)
        db.session.commit()
        flash("Your post has been removed.", "success")
        return redirect(url_for("forums.post", post_id=post.id))
    return render_template("forums/delete.html", post=post, form=form)


@bp.post("/p/<int:post_id>/react")
@require(Action.POST)
def react(post_id: int) -> Response:
    """Add or take back a reaction (a button; works without JavaScript)."""
    post = _post(post_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        # Two presses at once both find no reaction: the second, run again, takes it back.
        writes.save(lambda: services.toggle_reaction(current_user, post,
                                                     request.form.get("kind", "")))
    except Refused:
        db.session.rollback()
        abort(400)
    return redirect(url_for("forums.post", post_id=post.id))


@bp.route("/p/<int:post_id>/report", methods=["GET", "POST"])
@require(Action.REPORT)
@limit_reports
def report(post_id: int) -> str | Response:
    """Report a post to the team, with a reason."""
    post = _post(post_id)
    form = ReportForm()
    if form.validate_on_submit():
        back = url_for("forums.thread", thread_id=post.thread_id)
        try:
            writes.save_once(form.submission.data, current_user,
                             lambda: forum_moderation.report(current_user, post,
                                                             form.reason.data,
                                                             form.detail.data or ""),
                             lambda _: back)
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            add_error(form.reason, refused.message)
        else:
            flash("Thank you for your report. The moderating team will look at it. If "
                  "someone is in danger now, call 999.", "success")
            return redirect(back)
    return render_template("forums/report.html", form=form, post=post), \
        400 if form.errors else 200


@bp.get("/p/<int:post_id>/history")
@require(Action.MODERATE)
def history(post_id: int) -> str:
    """A post's earlier versions, for the team."""
    post = _post(post_id)
    return render_template("forums/history.html", post=post,
                           revisions=queries.revisions(post),
                           log=moderation.history("post", post.id))


@bp.post("/t/<int:thread_id>/follow")
@require(Action.READ_COMMUNITY)
def follow(thread_id: int) -> Response:
    """Follow or unfollow a thread."""
    thread = _thread(thread_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if request.form.get("follow") == "off":
        writes.save(lambda: services.unfollow(current_user, thread))
        flash("You will no longer be told about replies in this thread.", "success")
    else:
        writes.save(lambda: services.follow(current_user, thread))
        flash("You will be told about new replies in this thread.", "success")
    return redirect(url_for("forums.thread", thread_id=thread.id))


def _moderate(act: Callable[[ModerateForm], str]) -> None:
    """Run one moderation action from its form, then tell the moderator how it went."""
    form = ModerateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message = act(form)
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash(message, "success")


@bp.post("/p/<int:post_id>/moderate")
@require(Action.MODERATE)
def moderate_post(post_id: int) -> Response:
    """The team hides, shows, approves or rejects a post."""
    post = _post(post_id)
    _moderate(lambda form: forum_moderation.moderate_post(
        current_user, post, form.action.data, form.reason.data or ""))
    if request.form.get("back") == "queue":
        return redirect(url_for("moderation.queue"))
    return redirect(url_for("forums.post", post_id=post.id))


@bp.post("/t/<int:thread_id>/moderate")
@require(Action.MODERATE)
def moderate_thread(thread_id: int) -> Response:
    """The team hides, locks, pins or moves a thread."""
    thread = _thread(thread_id)
    _moderate(lambda form: forum_moderation.moderate_thread(
        current_user, thread, form.action.data, form.reason.data or "", form.category_id.data))
    return redirect(url_for("forums.thread", thread_id=thread.id))


@bp.get("/search")
@require(Action.READ_COMMUNITY)
def search_page() -> tuple[str, int] | Response:
    """Search posts, thread titles and the library, a page at a time by keyset."""
    text = text_arg("q", 200)
    if keyset.old_page_link():
        return redirect(url_for("forums.search_page", q=text))
    cursor, bad = keyset.cursor_args("search", search.RESULT_KEY)
    results = search.search_posts(current_user, text, cursor) if text.strip() else None
    # The library's matches come first on the first page: search covers both.
    resources = search.search_resources(current_user, text) \
        if text.strip() and cursor.first else []
    return render_template("forums/search.html", q=text, results=results, resources=resources,
                           bad_link=keyset.BAD_LINK if bad else None), 400 if bad else 200


@bp.get("/notifications")
@require(Action.READ_COMMUNITY)
def notifications() -> tuple[str, int] | Response:
    """This person's notifications, newest first, a page at a time by keyset."""
    if keyset.old_page_link():
        return redirect(url_for("forums.notifications"))
    cursor, bad = keyset.cursor_args("notifications", queries.NOTIFICATION_KEY)
    window = queries.notifications(current_user, cursor)
    return render_template("forums/notifications.html", notifications=window.items,
                           window=window, bad_link=keyset.BAD_LINK if bad else None,
                           subjects=queries.conversation_subjects(window.items),
                           form=ButtonForm()), 400 if bad else 200


@bp.post("/notifications/read")
@require(Action.READ_COMMUNITY)
def notifications_read() -> Response:
    """Mark all notifications read."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    queries.mark_notifications_read(current_user)
    db.session.commit()
    flash("All notifications are marked as read.", "success")
    return redirect(url_for("forums.notifications"))


@bp.get("/notifications/<int:notification_id>")
@require(Action.READ_COMMUNITY)
def open_notification(notification_id: int) -> Response:
    """Mark one notification read and go to its post (or the team's reply)."""
    notification = queries.notification_for(current_user, notification_id)
    if notification is None:
        abort(404)
    queries.mark_notifications_read(current_user, notification.id)
    db.session.commit()
    if notification.conversation_id:
        return redirect(url_for("inbox.conversation",
                                conversation_id=notification.conversation_id))
    if notification.post_id:
        return redirect(url_for("forums.post", post_id=notification.post_id))
    if notification.sanction_id:  # a mute or suspension ended: back to the forums
        return redirect(url_for("forums.index"))
    return redirect(url_for("forums.notifications"))


from sharon.forums import manage  # noqa: E402,F401  (registers its routes on bp)
