"""How many reminders a sweep posts at once: as many as keep one core busy, by Little's law.

A post costs some CPU (building it, slack_sdk, the socket) and then waits for Slack. While it waits, others
can run: to keep the process busy it needs about wall time ÷ CPU time posts in flight. More than that
gains nothing and costs a lot in Python, where threads that are all ready to run take turns at the GIL
(measured with a fake Slack answering at once: eight posting threads spent 40 % more CPU per reminder
than one). So the sweep keeps running averages of both and posts that many lanes at once, between one
(Slack answering at once) and its pool's size (Slack taking 100 ms a call).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

SMOOTHING = 0.05  # weight of each new post in the running averages: about the last 20 posts


@dataclass
class Pacing:
    """Running averages of a post's wall and CPU time, and the concurrency they call for."""

    most: int
    _wall: float = 0.0
    _cpu: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note(self, wall_s: float, cpu_s: float) -> None:
        """One post took `wall_s` seconds, `cpu_s` of them on the CPU in its thread."""
        with self._lock:
            if self._wall == 0.0:
                self._wall, self._cpu = wall_s, cpu_s
            else:
                self._wall += SMOOTHING * (wall_s - self._wall)
                self._cpu += SMOOTHING * (cpu_s - self._cpu)

    def in_flight(self) -> int:
        """How many posts to have in flight: all the pool has until a post has been timed (a slow Slack
        must not make the first batch crawl), then wall ÷ CPU, rounded down, between 1 and `most`."""
        with self._lock:
            wall, cpu = self._wall, self._cpu
        if wall == 0.0 or cpu <= 0.0:
            return self.most
        return max(1, min(self.most, int(wall / cpu)))
