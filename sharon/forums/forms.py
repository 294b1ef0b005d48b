from __future__ import annotations

import re

from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from sharon.forms import OUT_OF_DATE, Form, OnceForm, options
from sharon.infra.bounds import MAX_ID
from sharon.models.forums import AUDIENCE_LABELS, REPORT_REASONS, THREAD_KIND_LABELS

BODY_HINT = ("You can use Markdown: **bold**, *italic*, > quote, - lists, and links. "
             "Mention someone with @username.")
NOTE_HINT = ("If your post mentions something that may upset people (for example self-harm, "
             "abuse or loss), say so here, e.g. \"mentions self-harm\". Readers then choose "
             "whether to open it.")
VERSION = re.compile(r"^[1-9][0-9]{0,9}$")


class ThreadForm(OnceForm):
    title = StringField("Title", validators=[DataRequired("Give your thread a title."),
                                             Length(max=300)])
    kind = RadioField("What is this thread?", choices=options(THREAD_KIND_LABELS.items()),
                      validators=[InputRequired("Choose what kind of thread this is.")])
    body = TextAreaField("Your message", validators=[DataRequired("Write your message."),
                                                     Length(max=20_000)])
    content_note = StringField("Content note (optional)", validators=[Optional(),
                                                                      Length(max=300)])


class ReplyForm(OnceForm):
    body = TextAreaField("Your reply", validators=[DataRequired("Write your reply."),
                                                   Length(max=20_000)])
    content_note = StringField("Content note (optional)", validators=[Optional(),
                                                                      Length(max=300)])


class EditForm(Form):
    body = TextAreaField("Your post", validators=[DataRequired("Your post cannot be empty."),
                                                  Length(max=20_000)])
    content_note = StringField("Content note (optional)", validators=[Optional(),
                                                                      Length(max=300)])
    # The version of the post this edit started from: services.edit saves nothing if the
    # post has moved on since.
    version = HiddenField()

    def validate_version(self, field: HiddenField) -> None:
        """Refuse a missing or tampered edit version."""
        if not VERSION.match(field.data or "") or int(field.data) > MAX_ID:
            raise ValidationError(OUT_OF_DATE)

    @property
    def based_on(self) -> int:
        """The version of the post the edit started from, to catch a clash."""
        return int(self.version.data)


class ReportForm(OnceForm):
    reason = RadioField("Why are you reporting this post?",
                        choices=options(REPORT_REASONS.items()),
                        validators=[InputRequired("Choose a reason.")])
    detail = TextAreaField("Anything else the team should know? (optional)",
                           validators=[Optional(), Length(max=1000)])


class ModerateForm(Form):
    action = HiddenField(validators=[DataRequired()])
    reason = StringField("Reason (recorded in the log)", validators=[Optional(),
                                                                     Length(max=500)])
    category_id = IntegerField("Move to", validators=[
        Optional(), NumberRange(1, MAX_ID, "Choose a category to move the thread to.")])


class MutedWordForm(OnceForm):
    term = StringField("Word or phrase to mute", validators=[
        DataRequired("Enter a word or phrase."), Length(max=60)])


class CategoryForm(OnceForm):
    network_id = SelectField("Network", coerce=int)
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(2, 80)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=300)])
    position = IntegerField("Order (lower first)", default=0,
                            validators=[InputRequired(), NumberRange(0, 1000)])
    audience = RadioField("Who can see it?", choices=options(AUDIENCE_LABELS.items()),
                          default="everyone", validators=[InputRequired()])
