"""The form the team gives a sanction with."""

from __future__ import annotations

from datetime import UTC, datetime

from wtforms import DateTimeLocalField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from sharon.forms import OnceForm, options
from sharon.infra.templating import LONDON

KINDS = [("warn", "Warn: a message they must read and confirm before posting again"),
         ("mute", "Mute: no posting anywhere (forums and the Wall) for a while"),
         ("suspend", "Suspend: no signing in until a date, or until lifted"),
         ("remove", "Close the account")]
MUTE_LENGTHS = [("60", "1 hour"), ("240", "4 hours"), ("1440", "1 day"), ("4320", "3 days"),
                ("10080", "7 days"), ("43200", "30 days")]


class SanctionForm(OnceForm):
    kind = RadioField("What to do", choices=options(KINDS),
                      validators=[DataRequired("Choose what to do.")])
    reason = TextAreaField(
        "Reason, as the person will read it",
        validators=[DataRequired("Give a reason: the person is shown it, in these words."),
                    Length(max=500, message="Keep the reason under 500 characters.")])
    minutes = SelectField("How long a mute lasts", choices=options(MUTE_LENGTHS),
                          default="1440")
    until = DateTimeLocalField("A suspension ends (UK time; leave empty for until lifted)",
                               format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def ends(self) -> datetime | None:
        """The suspension's end, entered as UK wall-clock time, as aware UTC."""
        if self.until.data is None:
            return None
        return self.until.data.replace(tzinfo=LONDON).astimezone(UTC)
