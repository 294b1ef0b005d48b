"""Run requests at the same moment: each in its own thread, all released together.

Each thread's test client request pushes its own app context, so each has its own
database session and connection, as concurrent requests to a server do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def at_once(actions: Sequence[Callable[[], T]], timeout: float = 60) -> list[T]:
    """Call every action in its own thread, released together; their results in order."""
    barrier = threading.Barrier(len(actions))
    results: list[T | None] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(index: int, action: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = action()
        except BaseException as error:  # handed to the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if errors:
        raise errors[0]
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results  # type: ignore[return-value]
