from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from sharon import passwords


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[
        DataRequired("Enter your current password."), Length(max=passwords.MAX_LENGTH)])
    password = PasswordField("New password", validators=[DataRequired("Enter a new password.")])
    confirm = PasswordField("Type your new password again", validators=[
        DataRequired("Type your new password again."),
        EqualTo("password", "The two new passwords do not match.")])
