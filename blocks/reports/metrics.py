"""Seed 001's escalation metrics as a Slack message (`/escalate metrics`) and as plain lines (the CLI).
Pure builders over `bot.reports.metrics.Metrics`.

Layout: a header naming the period; the overall figures; one section field per severity (a compact
table); the customers with the most escalations; a context line with the period's dates and how many
private escalations are counted without being named. Customer names are the only user text, and are
escaped: a customer called `<!channel>` reads as text and pings nobody. A private escalation's customer
is never named anywhere (the top list counts non-private escalations only).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from blocks import limits
from blocks.escalations.triage_card import severity_badge
from blocks.text import escape_within, money, mrkdwn, plain
from bot.core.durations import humanize_duration
from bot.reports.metrics import Metrics, Share

HEADER_BLOCK = "metrics_header"
CUSTOMER_NAME_SHOWN = 120
DASH = "—"


def build_metrics(metrics: Metrics) -> tuple[str, list[dict[str, Any]]]:
    """(notification text, blocks) of the metrics message."""
    figures = metrics.overall
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "block_id": HEADER_BLOCK,
            "text": plain(title(metrics), limits.HEADER_TEXT),
        }
    ]
    if figures.escalations == 0:
        nothing = f"No escalations were opened in the {metrics.period.label}.\n• {_arr_line(metrics)}"
        blocks.append(
            {"type": "section", "block_id": "metrics_none", "text": mrkdwn(nothing, limits.SECTION_TEXT)}
        )
    else:
        headline, *lines = overall_lines(metrics)
        overall = "\n".join(f"• {line}" for line in lines)
        blocks.append(
            {
                "type": "section",
                "block_id": "metrics_overall",
                "text": mrkdwn(f"*{headline}*\n{overall}", limits.SECTION_TEXT),
            }
        )
        blocks.append({"type": "divider"})
        blocks.append(
            {
                "type": "section",
                "block_id": "metrics_by_severity",
                "fields": [
                    mrkdwn(_severity_field(metrics, severity), limits.SECTION_FIELD_TEXT)
                    for severity in metrics.by_severity
                ],
            }
        )
    if metrics.top_customers:
        listed = "\n".join(
            f"{n}. {escape_within(c.name, CUSTOMER_NAME_SHOWN)} · {_count(c.escalations, 'escalation')}"
            for n, c in enumerate(metrics.top_customers, start=1)
        )
        blocks.append(
            {
                "type": "section",
                "block_id": "metrics_customers",
                "text": mrkdwn(f"*Most escalations*\n{listed}", limits.SECTION_TEXT),
            }
        )
    blocks.append(
        {
            "type": "context",
            "block_id": "metrics_notes",
            "elements": [mrkdwn(" ".join(_notes(metrics)), limits.CONTEXT_TEXT)],
        }
    )
    return fallback_text(metrics), blocks


def title(metrics: Metrics) -> str:
    """`Escalation metrics · last 30 days`."""
    return f"Escalation metrics · {metrics.period.label}"


def fallback_text(metrics: Metrics) -> str:
    """The notification text: the headline figures, no names."""
    f = metrics.overall
    if f.escalations == 0:
        return f"{title(metrics)}: no escalations opened."
    return (
        f"{title(metrics)}: {_count(f.escalations, 'escalation')}, first response within SLA "
        f"{_percent(f.first_response_sla)}, resolved within target {_percent(f.resolution_sla)}, "
        f"{_percent(f.repeats)} repeats."
    )


def overall_lines(metrics: Metrics) -> list[str]:
    """The overall figures, one per line (the first is the headline). No user text in them."""
    f = metrics.overall
    per_customer = f" ({metrics.per_customer:.1f} per customer)" if metrics.per_customer else ""
    private = f", {f.private} private" if f.private else ""
    return [
        f"{_count(f.escalations, 'escalation')} from {_count(metrics.customers, 'customer')}"
        f"{per_customer}{private}",
        f"First response: median {_duration(f.first_response_median)}, p90 "
        f"{_duration(f.first_response_p90)} · within SLA {_share(f.first_response_sla)}",
        f"First customer update: median {_duration(f.first_update_median)}",
        f"Resolution: median {_duration(f.resolution_median)} · within target {_share(f.resolution_sla)}",
        f"Update promises kept: {_share(f.promises_kept)}",
        f"Repeat escalations (same customer within {_days(metrics.repeat_window)}): {_share(f.repeats)}",
        f"Prevention actions done: {_share(f.prevention_done)}",
        _arr_line(metrics),
    ]


def metrics_text(metrics: Metrics) -> str:
    """The same figures as plain lines, for a terminal (the CLI): nothing is escaped, and private
    escalations are counted, never named, as in Slack."""
    start, end = metrics.period.start, metrics.period.end
    lines = [f"{title(metrics)} ({_utc(start)} – {_utc(end)} UTC)"]
    if metrics.overall.escalations == 0:
        lines += ["No escalations opened.", _arr_line(metrics)]
    else:
        lines += overall_lines(metrics)
        lines.append("By severity:")
        for severity in metrics.by_severity:
            lines.append(f"  {severity}: " + " · ".join(_severity_lines(metrics, severity)))
    if metrics.top_customers:
        top = ", ".join(f"{c.name} {c.escalations}" for c in metrics.top_customers)
        lines.append(f"Most escalations (non-private): {top}")
    lines.append(_private_note(metrics) or "No private escalations in the period.")
    return "\n".join(lines)


def _severity_field(metrics: Metrics, severity: str) -> str:
    head, *rest = _severity_lines(metrics, severity)
    return f"*{severity_badge(severity)}* · {head}\n" + "\n".join(rest)


def _severity_lines(metrics: Metrics, severity: str) -> list[str]:
    f = metrics.by_severity[severity]
    targets = metrics.targets.get(severity)
    response_target = f" ({humanize_duration(targets.first_response)})" if targets else ""
    resolution_target = f" {humanize_duration(targets.resolution)}" if targets else " target"
    return [
        _count(f.escalations, "escalation"),
        f"First response {_duration(f.first_response_median)}, p90 {_duration(f.first_response_p90)}",
        f"Within SLA{response_target}: {_share(f.first_response_sla, compact=True)}",
        f"First update {_duration(f.first_update_median)}",
        f"Resolution {_duration(f.resolution_median)}, within{resolution_target}: "
        f"{_share(f.resolution_sla, compact=True)}",
        f"Repeats {_share(f.repeats, compact=True)} · promises kept {_share(f.promises_kept, compact=True)}",
    ]


def _notes(metrics: Metrics) -> list[str]:
    start, end = metrics.period.start, metrics.period.end
    notes = [f"Escalations opened {_utc(start)} – {_utc(end)} UTC."]
    if private := _private_note(metrics):
        notes.append(f"🔒 {private}")
    notes.append(
        "SLA: first response and resolution against the policy of each escalation's current severity; "
        "an escalation still inside its window is not counted yet."
    )
    return notes


def _private_note(metrics: Metrics) -> str:
    private = metrics.overall.private
    if not private:
        return ""
    are = "is" if private == 1 else "are"
    return f"{_count(private, 'private escalation')} {are} counted in these figures but not named."


def _arr_line(metrics: Metrics) -> str:
    return (
        f"ARR at risk now: {money(metrics.arr_at_risk)} across {_count(metrics.arr_customers, 'customer')} "
        "with an escalation open or awaiting confirmation"
    )


def _share(share: Share, compact: bool = False) -> str:
    """`83% (10 of 12)`, `83% (10/12)` compact, or an em dash when there is nothing to divide."""
    if share.ratio is None:
        return DASH
    of = "/" if compact else " of "
    return f"{_percent(share)} ({share.part:,}{of}{share.whole:,})"


def _percent(share: Share) -> str:
    return DASH if share.ratio is None else f"{share.ratio:.0%}"


def _duration(span: timedelta | None) -> str:
    """A time at a glance: `45 s`, `12 min`, `3 h 10 min`, `2 days 4 h`; an em dash when unknown."""
    if span is None:
        return DASH
    seconds = round(span.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 24 * 60:
        return humanize_duration(timedelta(minutes=minutes))
    hours = round(seconds / 3600)
    days, hours = divmod(hours, 24)
    return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")


def _days(span: timedelta) -> str:
    """`90 days` (humanize_duration would say 12 weeks 6 days), or the duration when not whole days."""
    if span % timedelta(days=1):
        return humanize_duration(span)
    return _count(span.days, "day")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' if n != 1 else ''}"


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
