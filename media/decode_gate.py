"""One process's budget for decoding photos: concurrent decodes together hold at most so many bytes.

A decode asks for what it will cost (``media.decode_cost``) before it starts and gives it back when it ends.
While the budget is spent, a request waits its turn (first come, first served, so a 200 MP photo is not starved
by a stream of small ones), for at most ``wait_seconds``; then it gets `DecodeBusy` and the phone retries later.
A decode that would need more than the whole budget can never run here: `ImageTooLarge`.

Before this, three 219 MP PNG bombs at once took one worker to 6.6 GB; now the worst any number of uploads can
hold at once is the budget (``PHOTO_DECODE_MEMORY_MB``), measured by ``bench/upload_memory.py``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from .photo_errors import ImageTooLarge

MB = 1024 * 1024


class DecodeBusy(Exception):
    """The decode budget stayed spent for as long as a request may wait; ``retry_after`` is in seconds."""

    def __init__(self, waited: float, retry_after: int):
        super().__init__(f"the server was busy decoding other photos for {waited:.0f} s")
        self.retry_after = retry_after


class DecodeGate:
    """A weighted, first-come-first-served semaphore over ``budget_bytes``, shared by a process's threads."""

    def __init__(self, budget_bytes: int, wait_seconds: float, *, retry_after: int = 10):
        self.budget_bytes = budget_bytes
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after
        self._lock = threading.Condition()
        self._in_use = 0
        self._queue: deque[object] = deque()

    @property
    def in_use(self) -> int:
        """Bytes held by decodes running now."""
        with self._lock:
            return self._in_use

    @contextmanager
    def hold(self, cost: int, *, what: str = "this photo") -> Iterator[None]:
        """Hold ``cost`` bytes of the budget for the duration of the block.

        Raises `ImageTooLarge` when ``cost`` exceeds the whole budget, `DecodeBusy` after waiting
        ``wait_seconds`` in vain.
        """
        if cost > self.budget_bytes:
            raise ImageTooLarge(
                f"decoding {what} would take about {cost / MB:.0f} MB of memory, more than the "
                f"{self.budget_bytes / MB:.0f} MB this server decodes photos in; send the photo as the camera "
                "saved it, or a smaller one"
            )
        self._acquire(cost)
        try:
            yield
        finally:
            with self._lock:
                self._in_use -= cost
                self._lock.notify_all()

    def _acquire(self, cost: int) -> None:
        ticket = object()
        started = time.monotonic()
        deadline = started + self.wait_seconds
        with self._lock:
            self._queue.append(ticket)
            try:
                while self._queue[0] is not ticket or self._in_use + cost > self.budget_bytes:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise DecodeBusy(time.monotonic() - started, self.retry_after)
                    self._lock.wait(remaining)
                self._in_use += cost
            finally:
                self._queue.remove(ticket)
                self._lock.notify_all()  # the next in the queue may fit now
