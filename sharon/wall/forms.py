"""Forms for the Wall's staff pages: extra sessions, closures and the weekly schedule."""

from __future__ import annotations

from wtforms import DateField, FieldList, FormField, StringField, TimeField
from wtforms import Form as BaseForm
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from sharon.forms import Form, OnceForm


class SessionForm(OnceForm):
    day = DateField("Date", validators=[InputRequired("Enter the date of the session.")])
    starts = TimeField("Starts (UK time)", validators=[InputRequired("Enter a start time.")])
    ends = TimeField("Ends (UK time)", validators=[InputRequired("Enter an end time.")])
    note = StringField("Note (optional, shown on the Wall)",
                       validators=[Length(max=200, message="Keep the note under 200 characters.")])

    def validate_ends(self, field: TimeField) -> None:
        """A session must end after it starts."""
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError("The session must end after it starts.")


class ClosureForm(OnceForm):
    starts_on = DateField("First day closed", validators=[InputRequired("Enter the first day.")])
    ends_on = DateField("Last day closed", validators=[InputRequired("Enter the last day.")])
    reason = StringField("Reason (shown on the Wall)", validators=[
        DataRequired("Give a reason: members see it."),
        Length(max=200, message="Keep the reason under 200 characters.")])

    def validate_ends_on(self, field: DateField) -> None:
        """A closure's last day must be on or after its first."""
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The last day must be on or after the first day.")


class DayForm(BaseForm):
    opens = TimeField("Opens", validators=[Optional()])
    closes = TimeField("Closes", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        """Both times or neither; closing after opening."""
        if not super().validate(extra_validators):
            return False
        if bool(self.opens.data) != bool(self.closes.data):
            self.closes.errors = ["Enter both times, or neither to close the Wall that day."]
            return False
        if self.opens.data and self.closes.data and self.closes.data <= self.opens.data:
            self.closes.errors = ["Closing must be after opening."]
            return False
        return True


class WeeklyForm(Form):
    days = FieldList(FormField(DayForm), min_entries=7, max_entries=7)
