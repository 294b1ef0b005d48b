"""Real time for every area: the rooms, one outbox per worker, and sending after commit."""

from sharon.realtime import rooms
from sharon.realtime.outbox import outbox
from sharon.realtime.pending import announce, init_app, send_now

__all__ = ["announce", "init_app", "outbox", "rooms", "send_now"]
