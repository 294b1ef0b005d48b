from __future__ import annotations

from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from sharon.forms import CheckboxesField, OnceForm, options


class InvitationForm(OnceForm):
    role = RadioField(
        "Who is this invitation for?",
        choices=options([("member", "Someone who has finished therapy (member)"),
                         ("carer", "A relative or carer (carer)")]),
        validators=[InputRequired("Choose who the invitation is for.")],
    )
    networks = CheckboxesField(
        "Networks it opens", coerce=int,
        validators=[DataRequired("Choose at least one network.")])
    days = IntegerField(
        "Days until it expires", default=14,
        validators=[InputRequired("Enter a number of days."),
                    NumberRange(1, 90, "Enter a number of days from 1 to 90.")])
    note = TextAreaField(
        "Private note (optional, seen by staff only)",
        validators=[Length(max=500, message="Keep the note under 500 characters.")])
