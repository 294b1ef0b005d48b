"""Forms for staying well. The services hold the limits and the ranges; the fields ask
them (through `_rule`), so a refusal is said beside the answer it is about, and only
stop what is far too long before that."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wtforms import BooleanField, FieldList, FormField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from sharon.forms import CheckboxesField, Form, OnceForm, options
from sharon.refusals import Refused
from sharon.staying_well import services
from sharon.staying_well.sharing import PARTS

TOO_LONG = "This is far too long. Please shorten it."


def _rule(check: Callable[[Any], object]) -> Callable[[Any, Any], None]:
    def validate(_form: Any, field: Any) -> None:
        try:
            check(field.data)
        except Refused as refused:
            raise ValidationError(refused.message) from None

    return validate


def _answer(question: services.Question) -> RadioField:
    return RadioField(
        question.text, choices=options((str(n), label) for n, label in enumerate(services.OFTEN)),
        validate_choice=False,  # the service's rule says what is wrong, in plain words
        validators=[_rule(lambda v, q=question: services.whole_number(v, 0, 3, q.missing))])


class CheckInForm(OnceForm):
    """The weekly check-in: PHQ-2, GAD-2, mood, a note, and warning signs to tick."""

    interest = _answer(services.QUESTIONS[0])
    low = _answer(services.QUESTIONS[1])
    nervous = _answer(services.QUESTIONS[2])
    worrying = _answer(services.QUESTIONS[3])
    mood = RadioField(
        "How would you rate your mood this week?",
        choices=options((str(n), str(n)) for n in range(11)), validate_choice=False,
        validators=[_rule(lambda v: services.whole_number(v, 0, 10, services.MOOD_MISSING))])
    signs = CheckboxesField("Are you noticing any of your early warning signs?",
                            choices=[], validate_choice=False)
    note = TextAreaField("Anything else you want to remember about this week (optional)",
                         validators=[Length(max=services.NOTE_LONGEST, message=(
                             f"Your note can be up to {services.NOTE_LONGEST} characters."))])


class SettingsForm(Form):
    """Turn check-ins on, or change the day and the email reminder."""

    weekday = RadioField(
        "Which day would you like to check in?",
        choices=options((str(n), day) for n, day in enumerate(services.WEEKDAYS)),
        validate_choice=False,
        validators=[_rule(lambda v: services.whole_number(
            v, 0, 6, "Choose the day of the week for your check-in."))])
    email_reminder = BooleanField("Email me a reminder on that day")


class ListForm(Form):
    """One list of the plan, one line each."""

    lines = TextAreaField("", validators=[Length(max=10_000, message=TOO_LONG)])


class PersonForm(Form):
    """One person on the plan."""

    class Meta(Form.Meta):
        csrf = False  # inside PeopleForm, which carries the token

    name = StringField("Name", validators=[Length(max=400, message=TOO_LONG)])
    how = StringField("How to contact them", validators=[Length(max=400, message=TOO_LONG)])


class PeopleForm(Form):
    """The people on the plan: a row for each, and a few empty ones to add more."""

    people = FieldList(FormField(PersonForm), min_entries=1,
                       max_entries=services.SECTION[services.PlanKind.PERSON].most + 4)


class NoticingForm(Form):
    """Tick the warning signs you are noticing (on the plan page)."""

    signs = CheckboxesField("Which of your warning signs are you noticing?", choices=[],
                            validate_choice=False)


class DraftForm(Form):
    """Choose what goes into the draft message to the team (a GET form: nothing is sent)."""

    class Meta(Form.Meta):
        csrf = False

    include = CheckboxesField("What to include", choices=options((p.name, p.label) for p in PARTS),
                              validate_choice=False)


class TellTheTeamForm(OnceForm):
    """The message to the team, as the person wrote or edited it."""

    subject = StringField("Subject", validators=[Length(max=240, message=TOO_LONG)])
    body = TextAreaField("Your message", validators=[Length(max=8000, message=TOO_LONG)])
