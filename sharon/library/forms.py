"""Forms for the library's staff pages. Media uploads stream through their own view."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from wtforms import DateTimeLocalField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from sharon.forms import CheckboxesField, Form, OnceForm, options
from sharon.infra.templating import LONDON
from sharon.models.library import AUDIENCE_LABELS, Audience

DURATION = re.compile(r"^\s*(\d{1,3}):([0-5]\d)\s*$")


def parse_duration(raw: str | None) -> int | None:
    """"4:30" -> 270 seconds; empty -> None."""
    if not raw or not raw.strip():
        return None
    match = DURATION.match(raw)
    if not match:
        raise ValueError(raw)
    return int(match[1]) * 60 + int(match[2])


def format_duration(seconds: int | None, words: bool = False) -> str:
    """270 -> "4:30" for the form, or "4 min 30 sec" to read."""
    if seconds is None:
        return ""
    minutes, rest = divmod(seconds, 60)
    if not words:
        return f"{minutes}:{rest:02d}"
    parts = [f"{minutes} min"] if minutes else []
    if rest or not minutes:
        parts.append(f"{rest} sec")
    return " ".join(parts)


class ResourceForm(OnceForm):
    title = StringField("Title", validators=[
        DataRequired("Enter a title."), Length(max=150, message="Keep the title under 150 "
                                                                "characters.")])
    summary = TextAreaField("Summary", validators=[
        DataRequired("Enter a short summary."),
        Length(max=500, message="Keep the summary under 500 characters.")])
    body = TextAreaField("Body", validators=[
        Length(max=100_000, message="Keep it under 100,000 characters.")])
    transcript = TextAreaField("Transcript", validators=[
        Length(max=200_000, message="Keep the transcript under 200,000 characters.")])
    duration = StringField("Length (minutes:seconds)", validators=[Optional()])
    tags = StringField("Tags", validators=[
        Length(max=400, message="Keep the tags under 400 characters.")])
    audience = RadioField(
        "Who is it for?", default=Audience.BOTH.value,
        choices=options((a.value, AUDIENCE_LABELS[a]) for a in Audience),
        validators=[InputRequired("Choose who it is for.")])
    networks = CheckboxesField("Networks", coerce=int,
                               validators=[DataRequired("Choose at least one network.")])

    def validate_duration(self, field: StringField) -> None:
        """Refuse a video length that is not minutes and seconds."""
        try:
            parse_duration(field.data)
        except ValueError as error:
            raise ValidationError("Enter the length as minutes:seconds, like 4:30.") from error


class ScheduleForm(Form):
    publish_at = DateTimeLocalField(
        "Publish at (UK time)", format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Enter the date and time to publish it.")])

    def when(self) -> datetime:
        """The entered UK wall-clock time as an aware UTC time."""
        assert self.publish_at.data is not None
        return self.publish_at.data.replace(tzinfo=LONDON).astimezone(UTC)
