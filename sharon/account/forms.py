from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from sharon import passwords
from sharon.forms import Form


class ChangePasswordForm(Form):
    current = PasswordField("Current password", validators=[
        DataRequired("Enter your current password."), Length(max=passwords.MAX_LENGTH)])
    password = PasswordField("New password", validators=[DataRequired("Enter a new password.")])
    confirm = PasswordField("Type your new password again", validators=[
        DataRequired("Type your new password again."),
        EqualTo("password", "The two new passwords do not match.")])
