"""Settings for the long-lived server process (wsgi.py), shared with the benchmarks'
ceilings so that both run under the same settings."""

from __future__ import annotations

import gc

# Young objects are collected after this many net allocations (Python's default: 700).
GC_THRESHOLDS = (20_000, 50, 100)


def tune_garbage_collector() -> None:
    """One process holds every Wall socket; with Python's default thresholds the collector
    walked that whole heap so often that deliveries to 1,000 clients stalled for 100 ms
    and more (bench/wall.py: p99 209 ms, against 56 ms with collection off). Freezing
    what startup made and collecting less often keeps the stalls out; cycles are still
    collected, and Python runs a full collection only when the heap has grown by a
    quarter since the last."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
