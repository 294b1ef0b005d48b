from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from sharon.forms import options

ACTION_LABELS = {
    "flag": "Flag: publish it, and put a risk flag in the moderation queue",
    "hold": "Hold: wait for a moderator's approval",
    "block": "Block: refuse it, with a kind message",
}


class WatchedWordForm(FlaskForm):
    term = StringField("Word or phrase", validators=[
        DataRequired("Enter a word or phrase."),
        Length(2, 100, "Use 2 to 100 characters.")])
    action = RadioField("What should happen?", choices=options(ACTION_LABELS.items()),
                        validators=[InputRequired("Choose what should happen.")])
    is_risk = BooleanField("It suggests risk: show the author crisis contacts straight away")
