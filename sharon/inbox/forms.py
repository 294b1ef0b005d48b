"""Forms for Ask the team. The services hold the limits and say them with both numbers
("up to 4,000 characters. Yours has 4,210."); the fields only stop what is far too long,
so a browser never cuts someone's words short without telling them."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from sharon.forms import OnceForm
from sharon.inbox.services import BODY_MAX, SUBJECT_MAX

SUBJECT_HINT = f"What it is about, in a few words (up to {SUBJECT_MAX} characters)."
BODY_HINT = f"Up to {BODY_MAX:,} characters."
TOO_LONG = "This is far too long. Please shorten it."


class NewConversationForm(OnceForm):
    """A member or carer writes to the team; a team member starts a conversation."""

    subject = StringField("Subject", validators=[
        DataRequired("Give your message a subject."),
        Length(max=SUBJECT_MAX * 2, message=TOO_LONG)])
    body = TextAreaField("Your message", validators=[
        DataRequired("Write your message."), Length(max=BODY_MAX * 2, message=TOO_LONG)])


class MessageForm(OnceForm):
    """A reply in a conversation, by the member or by the team."""

    body = TextAreaField("Your reply", validators=[
        DataRequired("Write your reply."), Length(max=BODY_MAX * 2, message=TOO_LONG)])
