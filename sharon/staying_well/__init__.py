"""Staying well: a person's private plan, optional weekly check-ins, and the way back to
the service when their own answers call for it (issue 16)."""
