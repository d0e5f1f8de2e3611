"""The metrics chart: one PNG for `/escalate metrics` to upload beside its message.

Left, per severity, the median first response and the median resolution as a share of their SLA
targets (100 % is the target: a bar past the line is late), each labelled with the times themselves,
since SEV-1's 15 minutes and SEV-4's week share no axis. Right, per severity, the share of first
responses and resolutions within target, against seed 001's 95 % aim. Severity names are the only text:
nothing private, nothing a person typed.

matplotlib is imported inside `render_chart`: importing it costs about half a second, and most
processes never draw. The figure is drawn on its own Agg canvas, never through pyplot's global state,
so concurrent renders in the bot's threads do not interfere.
"""

from __future__ import annotations

import io
from datetime import timedelta

from bot.core.durations import humanize_duration
from bot.core.vocabulary import SEVERITIES
from bot.policy.model import Policy
from bot.reports.metrics import Metrics, Share

WIDTH_PX, HEIGHT_PX, DPI = 900, 500, 100
COMPLIANCE_AIM = 0.95  # seed 001: SLA compliance 95%+
RESPONSE_COLOUR, RESOLUTION_COLOUR, TARGET_COLOUR = "#3b7dd8", "#e0892f", "#c0392b"
BAR_CAP = 3.0  # bars past 3× their target are cut there (and labelled with the real time)


def render_chart(metrics: Metrics, policy: Policy) -> bytes:
    """The chart of `metrics` against `policy`'s targets, as PNG bytes (900×500 px)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    severities = [s.value for s in SEVERITIES]
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    timing, compliance = figure.subplots(1, 2, gridspec_kw={"width_ratios": (1.25, 1)})
    positions = range(len(severities))
    width = 0.38

    tallest = 0.0
    for offset, label, colour, pick in (
        (-width / 2, "Median first response", RESPONSE_COLOUR, "response"),
        (width / 2, "Median resolution", RESOLUTION_COLOUR, "resolution"),
    ):
        ratios, texts = [], []
        for severity in severities:
            rules = policy.for_severity(severity)
            figures = metrics.by_severity[severity]
            median = figures.first_response_median if pick == "response" else figures.resolution_median
            target = rules.first_response if pick == "response" else rules.resolution_target
            ratios.append(0.0 if median is None else min(BAR_CAP, median / target))
            texts.append("—" if median is None else _short(median))
        tallest = max(tallest, *ratios)
        bars = timing.bar([p + offset for p in positions], ratios, width, label=label, color=colour)
        timing.bar_label(bars, labels=texts, padding=2, fontsize=7.5)
    timing.axhline(1.0, color=TARGET_COLOUR, linestyle="--", linewidth=1.2, label="SLA target")
    timing.set_xticks(list(positions), [_tick(severity, policy) for severity in severities], fontsize=8)
    timing.set_ylim(0, max(1.25, tallest * 1.15))
    timing.set_ylabel("Share of the SLA target")
    timing.yaxis.set_major_formatter(lambda value, _pos: f"{value:.0%}")
    timing.set_title("Median times against their SLA targets", fontsize=11)
    timing.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, frameon=False, ncols=2)

    for offset, label, colour, pick in (
        (-width / 2, "First response within SLA", RESPONSE_COLOUR, "response"),
        (width / 2, "Resolved within target", RESOLUTION_COLOUR, "resolution"),
    ):
        shares: list[Share] = [
            metrics.by_severity[s].first_response_sla
            if pick == "response"
            else metrics.by_severity[s].resolution_sla
            for s in severities
        ]
        bars = compliance.bar(
            [p + offset for p in positions],
            [s.ratio or 0.0 for s in shares],
            width,
            label=label,
            color=colour,
        )
        compliance.bar_label(
            bars,
            labels=["—" if s.ratio is None else f"{s.ratio:.0%}" for s in shares],
            padding=2,
            fontsize=7.5,
        )
    compliance.axhline(COMPLIANCE_AIM, color=TARGET_COLOUR, linestyle="--", linewidth=1.2, label="95% aim")
    compliance.set_xticks(list(positions), severities, fontsize=8)
    compliance.set_ylim(0, 1.12)
    compliance.yaxis.set_major_formatter(lambda value, _pos: f"{value:.0%}")
    compliance.set_title("SLA compliance", fontsize=11)
    compliance.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, frameon=False, ncols=2)

    figure.suptitle(
        f"Escalation metrics · {metrics.period.label} · {metrics.overall.escalations:,} escalations",
        fontsize=12,
        fontweight="bold",
    )
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _tick(severity: str, policy: Policy) -> str:
    rules = policy.for_severity(severity)
    response, resolution = humanize_duration(rules.first_response), humanize_duration(rules.resolution_target)
    return f"{severity}\n{response} / {resolution}"


def _short(span: timedelta) -> str:
    """`45 s`, `12 min`, `3.5 h`, `15 h`, `2.1 d`: a bar label's few characters."""
    seconds = span.total_seconds()
    for unit, name in ((86_400, "d"), (3_600, "h"), (60, "min")):
        if seconds >= unit:
            amount = seconds / unit
            shown = f"{amount:.1f}" if amount < 10 and name != "min" else f"{amount:.0f}"
            return f"{shown.removesuffix('.0')} {name}"
    return f"{seconds:.0f} s"
