"""The ceilings the benchmarks compare SHaRON with, served exactly as wsgi.py serves it
(Flask-SocketIO's run, the same async mode, the same collector settings):

- GET /ceiling: a bare Flask route rendering a 20-item Jinja template (bench/forum.py);
- "send" on /wall: a bare Flask-SocketIO broadcast to every client (bench/wall.py).

Run as `python bench/ceiling.py` with SHARON_PORT and SHARON_ASYNC_MODE=eventlet|gevent.
"""

import os
import sys
from pathlib import Path

MODE = os.environ.get("SHARON_ASYNC_MODE", "eventlet")
if MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

from flask import Flask, render_template  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402
from jinja2 import DictLoader  # noqa: E402

TEMPLATE = """<!doctype html><html lang="en"><head><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1><ol>{% for item in items %}<li><h2>{{ item.author }}</h2>
<p>{{ item.body }}</p></li>{% endfor %}</ol></body></html>"""
ITEMS = [{"author": f"member_{i:04d}", "body": "Today felt calmer than yesterday. " * 9}
         for i in range(20)]

app = Flask(__name__)
# A loaded, cached template, as Flask serves real pages (render_template_string would
# compile it on every request and flatter SHaRON).
app.jinja_loader = DictLoader({"ceiling.html": TEMPLATE})
socketio = SocketIO(app, async_mode=MODE, logger=False, engineio_logger=False)


@app.get("/ceiling")
def ceiling() -> str:
    return render_template("ceiling.html", title="Ceiling", items=ITEMS)


@socketio.on("send", namespace="/wall")
def send(data):  # type: ignore[no-untyped-def]
    """Broadcast to everyone, like the Wall does, with nothing else."""
    socketio.emit("message", {"id": 0, "author": "x", "label": "", "body": data["body"],
                              "created_at": "", "reply_to": None, "pinned": False},
                  to=None, namespace="/wall")
    return {"ok": True}


@app.get("/healthz")
def healthz() -> str:
    return "ok"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from sharon.infra.serving import tune_garbage_collector  # the same settings as wsgi.py

    tune_garbage_collector()
    socketio.run(app, host="127.0.0.1", port=int(os.environ["SHARON_PORT"]), log_output=False)
