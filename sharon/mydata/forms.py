"""The form that deletes an account: typed username and password, and what happens to
the posts. Nothing is chosen for the person: they pick keep or remove themselves."""

from __future__ import annotations

from wtforms import PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from sharon import passwords
from sharon.forms import Exact, Form, options

KEEP, REMOVE = "keep", "remove"


class DownloadForm(Form):
    """The download button. Only a press of it starts one (a POST with its token, and
    the button's own name): a zip of someone's mental-health support left in a shared
    computer's downloads by another site's link would be a harm in itself."""

    download = SubmitField("Download your data")


class DeleteAccountForm(Form):
    """Confirm who you are, and choose what happens to what you wrote."""

    posts = RadioField(
        "What should happen to your posts?",
        choices=options([(KEEP, "Keep my forum posts and Wall messages, shown as written "
                                "by “a former member”"),
                         (REMOVE, "Remove my forum posts and Wall messages")]),
        validators=[InputRequired("Choose what should happen to your posts.")])
    username = StringField("Type your username", validators=[
        Exact(), DataRequired("Type your username."), Length(max=254)])
    password = PasswordField("Your password", validators=[
        DataRequired("Enter your password."), Length(max=passwords.MAX_LENGTH)])
