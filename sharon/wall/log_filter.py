"""One line in the log, not a traceback, for each malformed message a client sends.

It exists because anyone can send python-engineio a packet its message handler cannot
decode, and it logs each with a full traceback: enough of them would flood the log and
hide what matters. The app factory installs the filter once per process.
"""

from __future__ import annotations

import logging


class OneLineErrors(logging.Filter):
    """Malformed packets from clients make python-engineio log a full traceback.

    Anyone can send them, so they would flood the log; one line is enough to notice.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Log a malformed client message as one line, not a traceback."""
        if record.exc_info and record.getMessage() in ("message handler error",
                                                       "post request handler error"):
            error = record.exc_info[1]
            record.msg = "dropped a malformed message from a client: %s"
            record.args = (type(error).__name__,)
            record.exc_info = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_FILTER = OneLineErrors()


def install() -> None:
    """Put the filter on python-engineio's server log (once, however many apps are built)."""
    logging.getLogger("engineio.server").addFilter(_FILTER)
