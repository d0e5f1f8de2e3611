"""Measuring helpers shared by the benchmarks: percentiles, this process's resident memory, a verdict
against an aim, and a count of the warnings logged during a run. (Not a `bench_*.py`: `dev.py bench` runs
those as scripts; this one is imported by them.)"""

from __future__ import annotations

import logging
import resource
from collections import Counter
from pathlib import Path


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def memory_mib() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
        )
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):  # not Linux: ru_maxrss only (KiB on Linux, bytes on macOS)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return float("nan"), peak


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
