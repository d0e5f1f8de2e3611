"""Measuring helpers shared by the benchmarks: percentiles, a process's resident memory, a verdict
against an aim, a count of the warnings logged during a run, and the `--json` file a script's headline
figures go to (benchmarks/table.py reads them). (Not a `bench_*.py`: `dev.py bench` runs those as
scripts; this one is imported by them.)"""

from __future__ import annotations

import json
import logging
import math
import resource
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def spread_ms(ms: list[float]) -> dict[str, float]:
    """A set of timings (ms) as a `--json` file gives them: their median, p99 and max."""
    return {"median_ms": statistics.median(ms), "p99_ms": percentile(ms, 0.99), "max_ms": max(ms)}


def memory_mib(pid: int | str = "self") -> tuple[float, float]:
    """(current RSS, peak RSS) in MiB of this process, or of process `pid` (Linux only; NaN elsewhere)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):  # not Linux: ru_maxrss only (KiB on Linux, bytes on macOS)
        if pid != "self":
            return float("nan"), float("nan")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return float("nan"), peak


def python_speed_s() -> float:
    """CPU seconds for a fixed mix of pure-Python work, the best of three runs: 2 million additions in a
    loop, 200,000 small objects made, a Block Kit–sized payload to JSON and back 20,000 times. How fast
    the machine runs Python just now: every figure here is Python's time, so tables from different
    machines or days compare by it (a shared machine was seen to vary 2× within an hour, and the object
    and JSON work to slow down more than the loop)."""
    payload = {
        "channel": "C0ROOM",
        "text": "reminder " * 20,
        "blocks": [
            {"type": "section", "block_id": f"b{n}", "text": {"type": "mrkdwn", "text": "x" * 200}}
            for n in range(5)
        ],
    }
    best = math.inf
    for _ in range(3):
        started, total = time.process_time(), 0
        for n in range(2_000_000):
            total += n
        made = [_Point(n, n) for n in range(200_000)]
        for _ in range(20_000):
            json.loads(json.dumps(payload))
        best = min(best, time.process_time() - started)
        del made
    return best


class _Point:
    __slots__ = ("x", "y")

    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y


def verdict(value: float, aim: float, unit: str) -> str:
    """Whether `value` met `aim` (lower is better), by how much, and as what share of the aim."""
    share = f"{value / aim:.0%} of the aim" if value / aim < 10 else f"{value / aim:.0f}× the aim"
    if value <= aim:
        return f"met: {value:,.1f} {unit} is {share}"
    return f"MISSED by {value - aim:,.1f} {unit}: {value:,.1f} {unit} is {share}"


class WarningCounter(logging.Handler):
    """Counts the warnings (and worse) logged while installed, by the start of their message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages[record.getMessage().split(" (")[0][:80]] += 1


def write_json(path: str | None, figures: dict[str, Any]) -> None:
    """Write a script's headline figures to `path` (its `--json FILE`), if given, for benchmarks/table.py.

    Written at the end of a run, so a script that fails leaves no file and the table says so; NaN (a
    figure that could not be measured) becomes null, since JSON has no NaN."""
    if not path:
        return

    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    Path(path).write_text(json.dumps(clean(figures), indent=2) + "\n")
