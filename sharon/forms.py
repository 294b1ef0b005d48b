"""Form pieces shared by several areas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes; rendered as a fieldset by templates/_forms.html."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ButtonForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons (sign out, revoke)."""


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def add_error(field: Field, message: str) -> None:
    """Show a service's refusal on the form field it is about (WTForms may hold a tuple)."""
    field.errors = [*field.errors, message]
