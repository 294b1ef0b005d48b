"""Run `python wsgi.py` for a test, making sure the server ends itself.

It dies with the test process that started it (PR_SET_PDEATHSIG) and after
SHARON_TEST_SERVER_TTL seconds at the latest (SIGALRM), so no server outlives
its test, whatever happens to pytest.
"""

import ctypes
import os
import runpy
import signal
import sys

PR_SET_PDEATHSIG = 1

if sys.platform.startswith("linux"):
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
signal.alarm(int(os.environ.get("SHARON_TEST_SERVER_TTL", "600")))
sys.argv = ["wsgi.py"]
runpy.run_path(os.path.join(os.path.dirname(__file__), "..", "wsgi.py"), run_name="__main__")
