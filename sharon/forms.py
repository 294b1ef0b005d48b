"""Form pieces shared by several areas.

Every form derives from `Form`, whose fields all start their checks with
`check_storable`, the one rule for text (sharon.content.unstorable): a NUL byte or a lone
surrogate never reaches a check, a service or the database. In text meant to be read (a
title, a post) it is dropped, as the services' clean_text would; in text that must
arrive exactly as typed (a username, a password, a code, an email address, a hidden
token) it is a field error. tests/test_text_hygiene.py holds every form in the app to it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FormField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from sharon.content import clean_text, storable, unstorable

UNSTORABLE = ("This contains a character we cannot accept (a null character, or half of an "
              "emoji). Please delete it or type it again.")


class Exact:
    """Marks a text field whose value must arrive exactly as typed (a username, a code):
    a character that cannot be stored is an error there, never quietly dropped."""

    field_flags = {"exact": True}

    def __call__(self, form: Any, field: Field) -> None:
        pass


def _readable(field: Field) -> bool:
    # Subclasses of StringField (passwords, email addresses, hidden fields) are exact.
    return type(field) in (StringField, TextAreaField) and not field.flags.exact


def _mend(value: Any, shown: bool) -> Any:
    if not isinstance(value, str) or not unstorable(value):
        return value
    # What the page shows back marks where the character was; what is kept drops it.
    return storable(value.replace("\x00", "\ufffd")) if shown else storable(value)


def check_storable(form: Any, field: Field) -> None:
    """Before any other check: drop what can never be stored from text to be read, or
    stop with a field error for text that must be exact."""
    data = field.data if isinstance(field.data, list | tuple) else [field.data]
    raw = getattr(field, "raw_data", None) or []
    if not any(isinstance(v, str) and unstorable(v) for v in [*raw, *data]):
        return
    exact = not _readable(field)
    field.raw_data = [_mend(v, exact) for v in raw]
    field.data = [_mend(v, exact) for v in field.data] if isinstance(field.data, list) \
        else _mend(field.data, exact)
    if exact:
        raise StopValidation(UNSTORABLE)


class Form(FlaskForm):
    """The base of every form in SHaRON."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            # FormField takes no validators: its own form's fields are checked instead.
            """Give every text field the shared text hygiene (control characters, length)."""
            if unbound_field.field_class is not FormField:
                given = unbound_field.kwargs.get("validators") or ()
                options = {**options, "validators": [check_storable, *given]}
            return super().bind_field(form, unbound_field, options)


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes; rendered as a fieldset by templates/_forms.html."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ButtonForm(Form):
    """A form with nothing but its CSRF token, for POST-only buttons (sign out, revoke)."""


# --- Forms that create something --------------------------------------------------------

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
OUT_OF_DATE = ("This form was out of date, so nothing was saved. Please check it and send "
               "it again.")


def new_token() -> str:
    """A fresh one-time form token."""
    return secrets.token_urlsafe(16)


class OnceForm(Form):
    """A form that creates something (a thread, a reply, a report, an invitation…).

    It carries a token made when the page was drawn. sharon.writes stores the token in
    the same transaction as what the form made, under a unique key, so a second
    submission of the same page (a double click, a resend after a slow answer, even at
    the same instant) makes nothing more and is shown what the first one made.
    """

    submission = HiddenField(default=new_token)

    def validate_submission(self, field: HiddenField) -> None:
        # Missing is refused too (not quietly given a new token): a page that forgot to
        # draw the field would otherwise lose the protection without anyone noticing.
        """Refuse a missing or malformed one-time token with a plain message."""
        if not field.raw_data or not TOKEN.match(field.data or ""):
            field.data = new_token()  # the page drawn again can be sent
            raise ValidationError(OUT_OF_DATE)


# --- Small helpers ----------------------------------------------------------------------

def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def add_error(field: Field, message: str) -> None:
    """Show a service's refusal on the form field it is about (WTForms may hold a tuple)."""
    field.errors = [*field.errors, message]


def text_arg(name: str, limit: int, source: str = "args") -> str:
    """A query-string (or, with source="form", a posted) value read outside a form: made
    storable by the same rule as every form's text, and cut to `limit` characters."""
    values = request.args if source == "args" else request.form
    return clean_text(values.get(name, ""))[:limit]
