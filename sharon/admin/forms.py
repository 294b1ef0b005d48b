from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from sharon.auth.forms import NewPasswordMixin
from sharon.forms import CheckboxesField, Exact, Form, OnceForm, options
from sharon.models.roles import ROLE_TITLES, STAFF_ROLES, Role


class StaffAccountForm(NewPasswordMixin, OnceForm):
    username = StringField("Username (shown to everyone)", validators=[
        Exact(), DataRequired("Choose a username.")])
    role = SelectField("Role", choices=options((r.value, ROLE_TITLES[r]) for r in STAFF_ROLES))
    real_name = StringField("Real name (staff only)", validators=[Optional(), Length(max=120)])
    email = EmailField("Email address (staff only)", validators=[Optional(), Length(max=254)])
    password = PasswordField("Temporary password", validators=[
        DataRequired("Set a temporary password.")])
    networks = CheckboxesField("Networks (none ticked: all of them)", coerce=int)


class NetworksForm(Form):
    networks = CheckboxesField("Networks", coerce=int, validators=[
        DataRequired("A person must belong to at least one network.")])


class RoleForm(Form):
    role = SelectField("Role", choices=options((r.value, ROLE_TITLES[r]) for r in Role))


class NetworkForm(OnceForm):
    name = StringField("Network name", validators=[
        DataRequired("Enter a name for the network."), Length(2, 80)])
    description = TextAreaField("Description (optional)", validators=[Length(max=500)])


class IssueResetForm(OnceForm):
    """Issue a password reset code: a button, sent once (a double click makes one code)."""
