"""The one exception services raise when a rule says no.

It carries a short machine code (the Wall protocol's error codes) and a plain
message for the person, so views and socket handlers show it as it is.
"""

from __future__ import annotations


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
