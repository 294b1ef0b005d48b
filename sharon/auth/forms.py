from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from sharon import passwords
from sharon.forms import Exact, Form, OnceForm
from sharon.validators import username_problem


class SignInForm(Form):
    username = StringField("Username", validators=[Exact(), DataRequired("Enter your username."),
                                                   Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=passwords.MAX_LENGTH)])


class NewPasswordMixin:
    def validate_password(self, field: PasswordField) -> None:
        """Refuse a weak password here, so the form shows why beside the field."""
        username = getattr(getattr(self, "username", None), "data", "") or ""
        problems = passwords.problems(field.data or "", username)
        if problems:
            raise ValidationError(" ".join(problems))


class JoinForm(NewPasswordMixin, OnceForm):
    code = StringField("Invitation code", validators=[Exact(), DataRequired(
        "Enter the invitation code your therapist gave you."), Length(max=100)])
    username = StringField("Choose a username", validators=[Exact(),
                                                            DataRequired("Choose a username.")])
    email = EmailField("Email address (optional)", validators=[
        Optional(), Length(max=254)])
    password = PasswordField("Create a password", validators=[DataRequired("Create a password.")])
    confirm = PasswordField("Type your password again", validators=[
        DataRequired("Type your password again."),
        EqualTo("password", "The two passwords do not match.")])
    accept_guidelines = BooleanField(
        "I have read the community guidelines and agree to follow them",
        validators=[DataRequired("Please read and accept the community guidelines to join.")])

    def validate_username(self, field: StringField) -> None:
        """Refuse an unusable or look-alike username beside the field."""
        problem = username_problem((field.data or "").strip())
        if problem:
            raise ValidationError(problem)

    def validate_email(self, field: EmailField) -> None:
        """Refuse an obviously mistyped email address beside the field."""
        if field.data and ("@" not in field.data or "." not in field.data.split("@")[-1]):
            raise ValidationError("Enter an email address like name@example.org, or leave it "
                                  "empty.")


class ForgottenPasswordForm(OnceForm):
    email = EmailField("Your email address", validators=[
        Exact(), DataRequired("Enter the email address you gave us."), Length(max=254)])

    def validate_email(self, field: EmailField) -> None:
        """Refuse an obviously mistyped address beside the field (says nothing of accounts)."""
        if field.data and ("@" not in field.data or "." not in field.data.split("@")[-1]):
            raise ValidationError("Enter an email address like name@example.org.")


class ResetWithCodeForm(NewPasswordMixin, OnceForm):
    username = StringField("Your username", validators=[
        Exact(), DataRequired("Enter your username."), Length(max=254)])
    code = StringField("Reset code", validators=[
        Exact(), DataRequired("Enter the reset code you were given."), Length(max=100)])
    password = PasswordField("New password", validators=[DataRequired("Create a new password.")])
    confirm = PasswordField("Type your new password again", validators=[
        DataRequired("Type your new password again."),
        EqualTo("password", "The two passwords do not match.")])


class ResetWithLinkForm(NewPasswordMixin, OnceForm):
    password = PasswordField("New password", validators=[DataRequired("Create a new password.")])
    confirm = PasswordField("Type your new password again", validators=[
        DataRequired("Type your new password again."),
        EqualTo("password", "The two passwords do not match.")])
