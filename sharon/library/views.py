"""The library's pages: browse, read and watch, save and rate; staff write and publish."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from werkzeug.wrappers import Response
from wtforms import ValidationError

from sharon import writes
from sharon.admin.services import all_networks
from sharon.extensions import csrf, db
from sharon.forms import ButtonForm, add_error, options, text_arg
from sharon.infra import clock, etags, keyset
from sharon.library import media, services
from sharon.library.forms import ResourceForm, ScheduleForm, format_duration, parse_duration
from sharon.models import Audience, Resource, ResourceKind
from sharon.models.library import AUDIENCE_LABELS
from sharon.permissions import Action, can, require
from sharon.refusals import Refused

bp = Blueprint("library", __name__, url_prefix="/library")

UPLOAD_STATUS = {"too_large": 413, "bad_type": 415}


def _media_dir() -> Path:
    return Path(current_app.config["SHARON_MEDIA_DIR"])


def _visible_or_404(resource_id: int) -> Resource:
    resource = services.get_visible(current_user, resource_id)
    if resource is None:
        abort(404)
    return resource


# --- Reading -------------------------------------------------------------------------------------

@bp.get("/")
@require(Action.READ_COMMUNITY)
def index() -> tuple[str, int] | Response:
    """The library's front page: resources this person may see, filtered by kind or tag,
    a page at a time by keyset ("Newer" and "Older")."""
    kind = request.args.get("kind") or None
    if kind not in (None, ResourceKind.BLOG, ResourceKind.VIDEO):
        kind = None
    tag = text_arg("tag", 40) or None
    if keyset.old_page_link():
        return redirect(url_for("library.index", kind=kind, tag=tag))
    cursor, bad = keyset.cursor_args("library", services.LISTING_KEY)
    now = clock.now()
    etag = None if bad else etags.for_page("library", *services.versions(now))
    if (not_modified := etags.unchanged(etag)) is not None:
        return not_modified
    page = services.listing(current_user, kind=kind, tag=tag, cursor=cursor)
    return etags.send(render_template(
        "library/index.html", page=page, kind=kind, tag=tag, first_page=cursor.first,
        bad_link=keyset.BAD_LINK if bad else None, tags=services.tags_in_use(current_user),
        now=now, format_duration=format_duration), etag), 400 if bad else 200


@bp.get("/saved")
@require(Action.SAVE_RESOURCES)
def saved() -> str:
    """What this person saved for later, newest first."""
    return render_template("library/saved.html", resources=services.saved_for(current_user),
                           format_duration=format_duration, now=clock.now())


@bp.get("/<int:resource_id>")
@require(Action.READ_COMMUNITY)
def resource(resource_id: int) -> str:
    """One blog or video, with "did this help?" and its discussion button (or why there
    is none: a draft, or no forum space with its audience)."""
    item = _visible_or_404(resource_id)
    staff = can(current_user, Action.PUBLISH_RESOURCES)
    return render_template(
        "library/resource.html", resource=item, now=clock.now(), staff=staff,
        related=services.related(current_user, item),
        saved=services.is_saved(current_user, item),
        answer=services.my_answer(current_user, item),
        counts=services.feedback_counts(item) if staff else None,
        no_discussion=services.discussion_refusal(current_user, item),
        form=ButtonForm(), format_duration=format_duration)


@bp.get("/<int:resource_id>/media/<slot>")
@require(Action.READ_COMMUNITY)
def media_file(resource_id: int, slot: str) -> Response:
    """A video, poster or captions file, for people who may see the resource (else 404)."""
    item = _visible_or_404(resource_id)
    names = {"video": (item.video_file, item.video_type),
             "poster": (item.poster_file, item.poster_type),
             "captions": (item.captions_file, "text/vtt; charset=utf-8")}
    if slot not in names or not names[slot][0]:
        abort(404)
    name, content_type = names[slot]
    path = media.path_for(_media_dir(), name or "")
    if not path.is_file():
        abort(404)
    headers = {h: request.headers.get(h) for h in ("Range", "If-Range", "If-None-Match",
                                                   "If-Modified-Since")}
    return media.serve(path, content_type or "application/octet-stream", headers)


@bp.post("/<int:resource_id>/save")
@require(Action.SAVE_RESOURCES)
def save(resource_id: int) -> Response:
    """Save or unsave a resource (a form button; works without JavaScript)."""
    item = _visible_or_404(resource_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "unsave":
        writes.save(lambda: services.unsave(current_user, item))
        flash("Removed from your saved resources.", "success")
    else:
        # Saved twice at once: the second, run again, finds it saved (which is harmless).
        writes.save(lambda: services.save(current_user, item))
        flash("Saved. Find it again under \u201cMy saved resources\u201d.", "success")
    return redirect(request.form.get("next") == "saved" and url_for("library.saved")
                    or url_for("library.resource", resource_id=item.id), 303)


@bp.post("/<int:resource_id>/discuss")
@require(Action.POST)
def discuss(resource_id: int) -> Response:
    """Go to the forum thread about this resource, creating it the first time."""
    item = _visible_or_404(resource_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    from sharon.forums import services as forums

    try:
        thread = forums.discussion_for(
            current_user, item, url_for("library.resource", resource_id=item.id, _external=True))
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("library.resource", resource_id=item.id), 303)
    db.session.commit()
    if thread.held:  # their first post waits for a moderator: say so, as the forums do
        flash(forums.HELD, "success")
    return redirect(url_for("forums.thread", thread_id=thread.id), 303)


@bp.post("/<int:resource_id>/helped")
@require(Action.SAVE_RESOURCES)
def helped(resource_id: int) -> Response:
    """Record whether a resource helped (one answer per person, changeable)."""
    item = _visible_or_404(resource_id)
    answer = request.form.get("helped")
    if not ButtonForm().validate_on_submit() or answer not in ("yes", "no"):
        abort(400)
    writes.save(lambda: services.answer(current_user, item, answer == "yes"))
    flash("Thank you for telling us.", "success")
    return redirect(url_for("library.resource", resource_id=item.id) + "#helped", 303)


# --- Staff ---------------------------------------------------------------------------------------

def _staff_resource(resource_id: int) -> Resource:
    item = db.session.get(Resource, resource_id)
    if item is None:
        abort(404)
    return item


def _resource_form(item: Resource | None, kind: str = ResourceKind.BLOG) -> ResourceForm:
    form = ResourceForm()
    if (item.kind if item else kind) == ResourceKind.VIDEO:
        form.body.label.text = "Description (optional)"
    form.networks.choices = options((n.id, n.name) for n in all_networks())
    if not form.is_submitted():
        if item is None:
            networks = all_networks()
            form.networks.data = [networks[0].id] if len(networks) == 1 else []
        else:
            form.title.data, form.summary.data = item.title, item.summary
            form.body.data, form.transcript.data = item.body_source, item.transcript
            form.duration.data = format_duration(item.duration_seconds)
            form.tags.data = ", ".join(t.name for t in item.tags)
            form.audience.data = item.audience
            form.networks.data = [n.id for n in item.networks]
    return form


def _input(form: ResourceForm) -> services.ResourceInput:
    return services.ResourceInput(
        title=form.title.data or "", summary=form.summary.data or "",
        body=form.body.data or "", transcript=form.transcript.data or "",
        audience=Audience(form.audience.data), network_ids=form.networks.data or [],
        tags=form.tags.data or "", duration_seconds=parse_duration(form.duration.data))


def _refusal_field(form: ResourceForm, refused: Refused) -> None:
    target = {"no_network": form.networks, "invalid_tags": form.tags}.get(refused.code)
    if target is None:
        target = form.title if "title" in refused.message else form.summary
    if refused.code == "not_ready":
        target = form.body
    add_error(target, refused.message)


def _edit_page(item: Resource, form: ResourceForm | None = None,
               schedule: ScheduleForm | None = None, upload_error: tuple[str, str] | None = None,
               status: int = 200) -> tuple[str, int]:
    return render_template(
        "library/edit.html", resource=item, form=form or _resource_form(item),
        schedule=schedule or ScheduleForm(formdata=None), button=ButtonForm(),
        now=clock.now(), problems=services.publish_problems(item),
        history=services.history(item), counts=services.feedback_counts(item),
        upload_error=upload_error, max_video=media.describe_size(
            current_app.config["SHARON_MAX_VIDEO_BYTES"]),
        format_duration=format_duration, audience_labels=AUDIENCE_LABELS), status


@bp.get("/manage/")
@require(Action.PUBLISH_RESOURCES)
def manage() -> tuple[str, int] | Response:
    """Staff list of every resource, drafts and scheduled ones included."""
    if keyset.old_page_link():
        return redirect(url_for("library.manage"))
    cursor, bad = keyset.cursor_args("library-manage", services.LISTING_KEY)
    page = services.listing(current_user, cursor=cursor, per_page=25, staff_view=True)
    return render_template("library/manage.html", page=page, now=clock.now(),
                           bad_link=keyset.BAD_LINK if bad else None,
                           counts={r.id: services.feedback_counts(r) for r in page.items}), \
        400 if bad else 200


@bp.route("/manage/new/<kind>", methods=["GET", "POST"])
@require(Action.PUBLISH_RESOURCES)
def new(kind: str) -> str | Response | tuple[str, int]:
    """Start a new blog or video as a draft."""
    if kind not in (ResourceKind.BLOG, ResourceKind.VIDEO):
        abort(404)
    form = _resource_form(None, kind)
    if form.validate_on_submit():
        try:
            item = writes.save_once(
                form.submission.data, current_user,
                lambda: services.create(current_user, ResourceKind(kind), _input(form)),
                lambda r: url_for("library.edit", resource_id=r.id))
        except writes.AlreadySent as sent:
            return sent.response()
        except Refused as refused:
            db.session.rollback()
            _refusal_field(form, refused)
        else:
            flash("Draft saved. Members cannot see it until you publish it.", "success")
            return redirect(url_for("library.edit", resource_id=item.id), 303)
    return render_template("library/new.html", form=form, kind=kind), 400 if form.errors else 200


@bp.route("/manage/<int:resource_id>/edit", methods=["GET", "POST"])
@require(Action.PUBLISH_RESOURCES)
def edit(resource_id: int) -> Response | tuple[str, int]:
    """Change a resource's words, tags, audience and files; shows its history."""
    item = _staff_resource(resource_id)
    form = _resource_form(item)
    if form.validate_on_submit():
        try:
            # A new tag added to two resources at once: the second, run again, shares it.
            changed = writes.save(lambda: services.update(current_user, item, _input(form)))
        except Refused as refused:
            db.session.rollback()
            _refusal_field(form, refused)
        else:
            flash("Changes saved." if changed else "Nothing had changed.", "success")
            return redirect(url_for("library.edit", resource_id=item.id), 303)
    return _edit_page(item, form=form, status=400 if form.errors else 200)


@bp.post("/manage/<int:resource_id>/upload/<slot>")
@csrf.exempt  # the token is checked inside the streamed body, before any file byte is kept
@require(Action.PUBLISH_RESOURCES)
def upload(resource_id: int, slot: str) -> Response | tuple[str, int]:
    """Stream a video, poster or captions file to disk; never buffered in memory."""
    try:
        which = media.Slot(slot)
    except ValueError:
        abort(404)
    item = _staff_resource(resource_id)
    if not item.is_video:
        abort(404)
    limit = media.limit_for(which, current_app.config["SHARON_MAX_VIDEO_BYTES"])
    # This route alone accepts large bodies, bounded by its own limit (not MAX_CONTENT_LENGTH).
    request.max_content_length = limit + media.MULTIPART_SLACK
    length = request.content_length
    try:
        if length is not None and length > limit + media.MULTIPART_SLACK:
            raise media.too_large(which, limit)  # refused before reading a byte
        stored = media.receive(request.stream, request.content_type, _media_dir(), which, limit,
                               _token_ok)
    except Refused as refused:
        return _edit_page(item, upload_error=(which.value, refused.message),
                          status=UPLOAD_STATUS.get(refused.code, 400))
    duration = media.mp4_duration(stored.path) if stored.content_type == "video/mp4" else None
    try:
        old = services.attach(current_user, item, which, stored, duration)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        media.delete(_media_dir(), [stored.name])
        raise
    media.delete(_media_dir(), old)
    flash(f"The {which.value} file was uploaded.", "success")
    return redirect(url_for("library.edit", resource_id=item.id) + f"#{which.value}", 303)


def _token_ok(token: str) -> bool:
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True


@bp.post("/manage/<int:resource_id>/publish")
@require(Action.PUBLISH_RESOURCES)
def publish(resource_id: int) -> Response | tuple[str, int]:
    """Publish a draft now (refused while a video lacks captions)."""
    item = _staff_resource(resource_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.publish(current_user, item)
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _edit_page(_staff_resource(resource_id), status=400)
    db.session.commit()
    flash("Published. Members in its audience can see it now.", "success")
    return redirect(url_for("library.edit", resource_id=item.id), 303)


@bp.post("/manage/<int:resource_id>/schedule")
@require(Action.PUBLISH_RESOURCES)
def schedule(resource_id: int) -> Response | tuple[str, int]:
    """Publish a draft at a later time."""
    item = _staff_resource(resource_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _edit_page(item, schedule=form, status=400)
    try:
        services.publish(current_user, item, when=form.when())
    except Refused as refused:
        db.session.rollback()
        add_error(form.publish_at, refused.message)
        return _edit_page(_staff_resource(resource_id), schedule=form, status=400)
    db.session.commit()
    flash("Scheduled. It will appear by itself at that time.", "success")
    return redirect(url_for("library.edit", resource_id=item.id), 303)


@bp.post("/manage/<int:resource_id>/unpublish")
@require(Action.PUBLISH_RESOURCES)
def unpublish(resource_id: int) -> Response:
    """Take a resource back to draft; members stop seeing it at once."""
    item = _staff_resource(resource_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.unpublish(current_user, item)
    db.session.commit()
    flash("Unpublished. It is a draft again, and members cannot see it.", "success")
    return redirect(url_for("library.edit", resource_id=item.id), 303)


@bp.route("/manage/<int:resource_id>/delete", methods=["GET", "POST"])
@require(Action.PUBLISH_RESOURCES)
def delete(resource_id: int) -> str | Response:
    """Ask, then delete a resource and its stored files."""
    item = _staff_resource(resource_id)
    form = ButtonForm()
    if form.validate_on_submit():
        files = services.delete(current_user, item)
        db.session.commit()
        media.delete(_media_dir(), files)
        flash(f"\u201c{item.title}\u201d was deleted, with its files.", "success")
        return redirect(url_for("library.manage"), 303)
    return render_template("library/delete.html", resource=item, form=form)
