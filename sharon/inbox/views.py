"""Ask the team's pages. Thin: parse, call a service, commit, redirect with a message."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from sharon import writes
from sharon.content import render_plain
from sharon.extensions import db, limiter, login_manager, per_person
from sharon.forms import add_error
from sharon.inbox import services
from sharon.inbox.forms import BODY_HINT, SUBJECT_HINT, MessageForm, NewConversationForm
from sharon.inbox.thanks import listen_for_replies, tell_member
from sharon.infra import bounds
from sharon.models import Conversation, ConversationMessage, ModerationItem
from sharon.moderation.subjects import subject as queue_subject
from sharon.permissions import Action, can, require
from sharon.refusals import Refused

bp = Blueprint("inbox", __name__, url_prefix="/ask-the-team")

class Shown(NamedTuple):
    """One message as this reader sees it: who wrote it, and its text made safe."""

    message: ConversationMessage
    who: str
    html: Markup


def _shown(conversation: Conversation, team: bool) -> list[Shown]:
    shown = []
    for message in conversation.messages:
        if message.from_team:
            # Members hear from the team; the team sees which of them wrote.
            who = "The SHaRON team"
            if team:
                name = message.author.username if message.author else "no longer on the team"
                who += f" ({name})"
        elif team:
            who = conversation.member.username
        else:
            who = "You"
        shown.append(Shown(message, who, render_plain(message.body)))
    return shown


def _user() -> Any:
    return current_user._get_current_object()


def _conversation(conversation_id: int) -> Conversation:
    try:
        return services.conversation_for(_user(), conversation_id)
    except Refused:
        abort(404)


def _page(conversation: Conversation, form: MessageForm, status: int = 200) -> tuple[str, int]:
    team = can(_user(), Action.ANSWER_THE_TEAM_INBOX)
    action = url_for("inbox.answer" if team else "inbox.reply",
                     conversation_id=conversation.id)
    return render_template("inbox/conversation.html", conversation=conversation, form=form,
                           messages=_shown(conversation, team), team=team, action=action,
                           body_hint=BODY_HINT), status


def _location(conversation: Conversation) -> str:
    return url_for("inbox.conversation", conversation_id=conversation.id)


@bp.get("/")
@require(Action.ASK_THE_TEAM)
def index() -> str:
    """The member's conversations with the team, with new replies marked."""
    return render_template("inbox/index.html", rows=services.conversations(_user()))


def _write_limit() -> str:
    return str(current_app.config["SHARON_POST_RATE_LIMIT"])


# One member must not flood the team's queue: messages to the team count like posts.
limit_messages = limiter.shared_limit(
    _write_limit, scope="team-inbox", key_func=per_person, methods=["POST"],
    error_message="You have sent a lot of messages in a short time, so this one was not "
                  "sent. Please wait a few minutes. If you need help now, see 'Need urgent "
                  "help?'.")


@bp.route("/new", methods=["GET", "POST"])
@limit_messages
@require(Action.ASK_THE_TEAM)
def new() -> tuple[str, int] | Response:
    """Write to the team: a new conversation, waiting in the moderation queue."""
    form = NewConversationForm()
    if form.validate_on_submit():
        try:
            sent = writes.save_once(
                form.submission.data, _user(),
                lambda: services.ask(_user(), form.subject.data, form.body.data),
                lambda s: _location(s.conversation))
        except writes.AlreadySent as already:
            return already.response("inbox.index")
        except Refused as refused:
            db.session.rollback()
            add_error(form.subject if refused.code.startswith("subject") else form.body,
                      refused.message)
        else:
            tell_member(sent)
            return redirect(_location(sent.conversation), 303)
    return render_template("inbox/new.html", form=form, subject_hint=SUBJECT_HINT,
                           body_hint=BODY_HINT), 400 if form.errors else 200


@bp.get("/<int:conversation_id>")
def conversation(conversation_id: int) -> tuple[str, int] | Response:
    """One conversation: the member's own, or any for the team (from the queue)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    found = _conversation(conversation_id)
    if found.member_id == current_user.id:
        listen_for_replies()
        services.mark_read(_user(), found)
        db.session.commit()
    return _page(found, MessageForm())


@bp.post("/<int:conversation_id>/reply")
@limit_messages
@require(Action.ASK_THE_TEAM)
def reply(conversation_id: int) -> tuple[str, int] | Response:
    """The member writes again in their conversation."""
    found = _conversation(conversation_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            sent = writes.save_once(form.submission.data, _user(),
                                    lambda: services.write(_user(), found, form.body.data),
                                    lambda s: _location(s.conversation))
        except writes.AlreadySent as already:
            return already.response("inbox.index")
        except Refused as refused:
            db.session.rollback()
            add_error(form.body, refused.message)
        else:
            tell_member(sent)
            return redirect(_location(found), 303)
    return _page(found, form, 400)


@bp.post("/<int:conversation_id>/answer")
@require(Action.ANSWER_THE_TEAM_INBOX)
def answer(conversation_id: int) -> tuple[str, int] | Response:
    """The team replies as the SHaRON team; the member is told, and the item closes."""
    found = _conversation(conversation_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            writes.save_once(form.submission.data, _user(),
                             lambda: services.answer(_user(), found, form.body.data),
                             lambda _: _location(found))
        except writes.AlreadySent as already:
            return already.response("moderation.queue")
        except Refused as refused:
            db.session.rollback()
            add_error(form.body, refused.message)
        else:
            flash(f"Your reply is sent to {found.member.username} as the SHaRON team, and the "
                  "conversation's queue item is closed as “member contacted”.", "success")
            return redirect(_location(found), 303)
    return _page(found, form, 400)


@bp.route("/start", methods=["GET", "POST"])
@require(Action.ANSWER_THE_TEAM_INBOX)
def start() -> tuple[str, int] | Response:
    """The team starts a conversation with the author of a queue item."""
    item_id = bounds.id_arg("item_id")
    item = db.session.get(ModerationItem, item_id) if item_id else None
    if item is None or item.subject_author is None:
        abort(404)
    about = queue_subject(item.subject_type)
    if about.may_see is not None and not about.may_see(_user(), item.subject_id):
        abort(404)
    member = item.subject_author
    form = NewConversationForm()
    refusal = ""
    try:
        services.check_contactable(member)
    except Refused as refused:
        refusal = refused.message  # said before anything is typed, and no form is shown
    if not refusal and form.validate_on_submit():
        try:
            made = writes.save_once(
                form.submission.data, _user(),
                lambda: services.contact(_user(), item, form.subject.data, form.body.data),
                _location)
        except writes.AlreadySent as already:
            return already.response("moderation.queue")
        except Refused as refused:
            db.session.rollback()
            add_error(form.subject if refused.code.startswith("subject") else form.body,
                      refused.message)
        else:
            flash(f"Your message is sent to {member.username} as the SHaRON team. Their "
                  "reply will come back to the moderation queue.", "success")
            return redirect(_location(made), 303)
    form.body.label.text = "Message"
    status = 403 if refusal else 400 if form.errors else 200
    return render_template("inbox/start.html", form=form, item=item, member=member,
                           about=about, refusal=refusal, subject_hint=SUBJECT_HINT,
                           body_hint=BODY_HINT), status
