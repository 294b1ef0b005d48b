"""Numbers from addresses and query strings, kept inside what the database can hold.

Werkzeug's `<int:…>` takes any number of digits, and a Python int has no limit; SQLite
raises OverflowError past 2**63 and PostgreSQL refuses anything past its column type,
so `/forums/t/99999999999999999999` was a 500. Every id column is a 32-bit INTEGER on
PostgreSQL: a number past that names nothing, and is a 404 like any unknown id.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request
from werkzeug.routing import IntegerConverter, Map, ValidationError

MAX_ID = 2**31 - 1
# Past this, a page number is past the end of anything SHaRON holds; listings then show
# their last page (or a 404, where that is their way).
MAX_PAGE = 100_000


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` from 0 to MAX_ID; anything longer does not match the rule, so it is a 404."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> Any:
        """Refuse absurdly long numbers in URLs with a 404, not a crash."""
        if len(value.lstrip("0")) > len(str(MAX_ID)):  # int() of 5,000 digits is a ValueError
            raise ValidationError()
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Before any blueprint adds its rules, so that every `<int:…>` is bounded."""
    app.url_map.converters["int"] = BoundedIntegerConverter


_WHOLE = re.compile(r"^\s*([+-]?)([0-9]+)\s*$")


def int_arg(name: str, default: int, low: int, high: int, source: Any = None) -> int:
    """A whole number from the query string (or `source`, such as request.form), kept
    between `low` and `high`; missing or not a number is `default`.

    No int() of the digits as sent: a 100,000-digit number costs time, and Python
    refuses to convert more than 4,300 digits anyway.
    """
    match = _WHOLE.match((source if source is not None else request.args).get(name) or "")
    if match is None:
        return default
    sign, digits = match.groups()
    digits = digits.lstrip("0") or "0"
    magnitude = int(digits) if len(digits) <= 18 else 10**18
    return min(max(-magnitude if sign == "-" else magnitude, low), high)


def page_arg(name: str = "page") -> int:
    """`?page=` from 1 to MAX_PAGE: missing or not a number is page 1."""
    return int_arg(name, 1, 1, MAX_PAGE)


def id_arg(name: str, source: Any = None) -> int | None:
    """An id from the query string (or `source`), or None when it cannot name a row."""
    number = int_arg(name, 0, 0, MAX_ID + 1, source)
    return number if 1 <= number <= MAX_ID else None
