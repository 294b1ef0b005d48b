from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from sharon.forms import Form, OnceForm, options

ACTION_LABELS = {
    "flag": "Flag: publish it, and put a risk flag in the moderation queue",
    "hold": "Hold: wait for a moderator's approval",
    "block": "Block: refuse it, with a kind message",
}


class WatchedWordForm(OnceForm):
    term = StringField("Term", validators=[
        DataRequired("Enter a word, phrase or pattern."),
        Length(2, 500, "Use 2 to 500 characters.")])
    family = SelectField("Family", default="", validate_choice=False)
    action = RadioField("If it is in no family, what should happen?",
                        choices=options(ACTION_LABELS.items()), validators=[Optional()])
    is_risk = BooleanField("It suggests risk: show the author crisis contacts straight away")


class TrySentenceForm(Form):
    """The words page's try box: a GET form, nothing is stored."""

    class Meta:
        csrf = False

    sentence = TextAreaField("Sentence to try", validators=[Length(max=2000)])
