"""The App Home tab: the person's own escalations, then every open one they may see, grouped by severity,
each with its next due clock and SLA state; however many are open, within Slack's 100 blocks.

Layout: a header, a one-line summary, the Start and Refresh buttons, when it was read; "Your
escalations" (at most `MINE_SHOWN`, then a count); "Your follow-ups" (when they own any, at most
`FOLLOW_UPS_SHOWN`); "Open escalations" by severity, most urgent first, then
those awaiting the customer's confirmation, until the blocks run out; then a count of the rest and of the
private escalations not shown (never named). The customer's name and the title are escaped: only
warroom's own ids (people, rooms) become mentions or links.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from blocks import limits
from blocks.escalations.triage_card import SEVERITY_EMOJI, severity_badge
from blocks.followups.follow_ups import MARK_DONE, follow_up_line
from blocks.text import button, escape_within, mrkdwn, plain, slack_date, user
from bot.core.durations import humanize_duration
from bot.core.vocabulary import Clock
from bot.home.service import Dashboard, DashboardEntry, DueClock

CALLBACK_ID = "warroom_home"
START_ESCALATION = "home_start_escalation"
REFRESH_HOME = "home_refresh"
# A person rarely holds a role on more at once; past this their own are counted, leaving the blocks to
# the open list everyone shares.
MINE_SHOWN = 10
FOLLOW_UPS_SHOWN = 5
# Blocks kept free below the open list: "…and N more" and the private count.
TAIL_BLOCKS = 2
CUSTOMER_CHARS, TITLE_CHARS = 120, 160
AWAITING_GROUP = "awaiting"
CLOCK_NAMES = {
    Clock.FIRST_RESPONSE: "First response",
    Clock.INTERNAL: "Internal update",
    Clock.CUSTOMER: "Customer update",
    Clock.RESOLUTION: "Resolution",
    Clock.CONFIRMATION: "Confirmation reminder",
}
NOTHING_OF_YOURS = (
    "Nothing on your plate. When you are the incident commander, customer liaison, engineering owner or "
    "CSM of an open escalation, it shows here."
)


def build_home_tab(dashboard: Dashboard) -> dict[str, Any]:
    """The Home tab view for `views.publish`."""
    blocks = _top(dashboard) + _mine(dashboard) + _follow_ups(dashboard)
    blocks += _open(dashboard, limits.VIEW_BLOCKS - len(blocks))
    return {"type": "home", "callback_id": CALLBACK_ID, "blocks": blocks}


# --- what a line says (pure text) ------------------------------------------------------------------


def clock_phrase(due: DueClock | None, now: datetime) -> str:
    """The next due clock, named: `⏰ Internal update due in 12 min (today at 14:30)`, `🚨 First response
    breached 25 min ago`, `🚨 Internal update overdue by 1 h 5 min`."""
    if due is None:
        return "No clock running (updates on change)"
    name = CLOCK_NAMES.get(due.clock, due.clock.label)
    if not due.is_past(now):
        left = due.due_at - now
        soon = "now" if left < timedelta(minutes=1) else f"in {_span(left)}"
        return f"⏰ {name} due {soon} ({slack_date(due.due_at)})"
    late = now - due.due_at
    if due.is_sla:
        return f"🚨 {name} breached {'just now' if late < timedelta(minutes=1) else _span(late) + ' ago'}"
    if late < timedelta(minutes=1):
        return f"⏰ {name} due now"
    alarm = "⏰" if due.clock == Clock.CONFIRMATION else "🚨"  # a late reminder to ask is no emergency
    return f"{alarm} {name} overdue by {_span(late)}"


def sla_tag(entry: DashboardEntry, now: datetime) -> str | None:
    """The SLA state, unless the clock phrase already said it: `🚨 SLA breached: resolution`, `⏳ SLA at
    risk: first response`, `🟢 SLA on track`."""
    due, sla = entry.next_due, entry.sla
    said = due.clock if due is not None and due.is_sla and due.is_past(now) else None
    breached = [clock for clock in sla.breached if clock != said]
    if breached:
        return f"🚨 SLA breached: {_clock_list(breached)}"
    if said is not None:
        return None
    if sla.at_risk:
        return f"⏳ SLA at risk: {_clock_list(sla.at_risk)}"
    return "🟢 SLA on track" if entry.escalation.is_open else None


def escalation_text(entry: DashboardEntry, now: datetime, *, as_mine: bool = False) -> str:
    """Two lines about one escalation: what it is, then where it stands and where it is worked."""
    esc = entry.escalation
    badge = f"{severity_badge(esc.severity)} " if as_mine else ""  # the open list has severity headings
    lock = "🔒 " if esc.is_private else ""
    what = (
        f"{badge}{lock}*{esc.public_id}* · {escape_within(esc.customer, CUSTOMER_CHARS)}: "
        f"{escape_within(esc.title, TITLE_CHARS)}"
    )
    if as_mine:
        who = "*You:* " + ", ".join(role.short_label for role in entry.roles)
    else:
        who = f"IC {user(esc.ic_user_id)}"
    facts = [_status(entry), clock_phrase(entry.next_due, now), sla_tag(entry, now), who, _where(entry)]
    return f"{what}\n{' · '.join(fact for fact in facts if fact)}"


def _status(entry: DashboardEntry) -> str:
    esc = entry.escalation
    if esc.awaiting_confirmation:
        return f"✅ Resolved {slack_date(esc.resolved_at)}" if esc.resolved_at else "✅ Resolved"
    return ("↩️ Reopened · " if esc.reopened_at else "") + esc.status_label


def _where(entry: DashboardEntry) -> str:
    # Only channel ids warroom itself recorded become links.
    esc = entry.escalation
    if esc.room_channel_id:
        return f"<#{esc.room_channel_id}>"
    if esc.card_channel_id:
        return f"card in <#{esc.card_channel_id}>"
    return "room being set up"


def _clock_list(clocks: Sequence[Clock]) -> str:
    return ", ".join(CLOCK_NAMES.get(clock, clock.label).lower() for clock in clocks)


def _span(span: timedelta) -> str:
    """A span people read at a glance: minutes under an hour, whole hours under a week, then days."""
    minutes = max(1, int(span.total_seconds() // 60))
    if minutes >= 7 * 24 * 60:
        return humanize_duration(timedelta(days=minutes // (24 * 60)))
    if minutes >= 24 * 60:
        return humanize_duration(timedelta(hours=minutes // 60))
    return humanize_duration(timedelta(minutes=minutes))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- the blocks ------------------------------------------------------------------------------------


def _section(block_id: str, text: str) -> dict[str, Any]:
    return {"type": "section", "block_id": block_id, "text": mrkdwn(text, limits.SECTION_TEXT)}


def _context(block_id: str, text: str) -> dict[str, Any]:
    return {"type": "context", "block_id": block_id, "elements": [mrkdwn(text, limits.CONTEXT_TEXT)]}


def _header(block_id: str, text: str) -> dict[str, Any]:
    return {"type": "header", "block_id": block_id, "text": plain(text, limits.HEADER_TEXT)}


def _top(dashboard: Dashboard) -> list[dict[str, Any]]:
    breached = sum(1 for entry in dashboard.open if entry.sla.is_breached)
    summary = [f"*{_plural(dashboard.open_total, 'open escalation')}*"]
    if breached:
        summary.append(f"🚨 {breached} with a breached SLA")
    if dashboard.awaiting_total:
        summary.append(f"✅ {dashboard.awaiting_total} awaiting the customer's confirmation")
    if dashboard.mine:
        summary.append(f"{len(dashboard.mine)} where you hold a role")
    updated = (
        f"Updated {slack_date(dashboard.now)}. It refreshes each time you open this tab, or press Refresh."
    )
    return [
        _header("home_header", "🚨 Escalations"),
        _section("home_summary", " · ".join(summary)),
        {
            "type": "actions",
            "block_id": "home_actions",
            "elements": [
                button("Start an escalation", START_ESCALATION, "home", "primary"),
                button("Refresh", REFRESH_HOME, "home"),
            ],
        },
        _context("home_updated", updated),
        {"type": "divider", "block_id": "home_top_end"},
    ]


def _mine(dashboard: Dashboard) -> list[dict[str, Any]]:
    mine = dashboard.mine
    blocks = [_header("mine_header", f"Your escalations · {len(mine)}" if mine else "Your escalations")]
    if not mine:
        blocks.append(_context("mine_none", NOTHING_OF_YOURS))
    for entry in mine[:MINE_SHOWN]:
        text = escalation_text(entry, dashboard.now, as_mine=True)
        blocks.append(_section(f"mine_esc_{entry.escalation.id}", text))
    if len(mine) > MINE_SHOWN:
        blocks.append(_context("mine_more", f"…and {len(mine) - MINE_SHOWN} more of yours, less urgent."))
    blocks.append({"type": "divider", "block_id": "mine_end"})
    return blocks


def _follow_ups(dashboard: Dashboard) -> list[dict[str, Any]]:
    """The viewer's own open follow-ups, soonest first, each with *Mark done*; nothing when they have none."""
    owned = dashboard.follow_ups
    if not owned:
        return []
    blocks = [_header("follow_ups_header", f"Your follow-ups · {len(owned)}")]
    for follow_up, esc in owned[:FOLLOW_UPS_SHOWN]:
        line = f"*{esc.public_id}* · {follow_up_line(follow_up, dashboard.now, 2_500)}"
        block = _section(f"follow_up_{follow_up.id}", line)
        block["accessory"] = button("Mark done", MARK_DONE, str(follow_up.id))
        blocks.append(block)
    if len(owned) > FOLLOW_UPS_SHOWN:
        more = f"…and {len(owned) - FOLLOW_UPS_SHOWN} more of yours, due later (`/escalate actions`)."
        blocks.append(_context("follow_ups_more", more))
    blocks.append({"type": "divider", "block_id": "follow_ups_end"})
    return blocks


def _groups(dashboard: Dashboard) -> Iterator[tuple[str, list[DashboardEntry]]]:
    """The open escalations by severity (already most severe first), then those awaiting confirmation."""
    for severity, entries in groupby(dashboard.open, key=lambda entry: entry.escalation.severity):
        yield severity, list(entries)
    if dashboard.awaiting:
        yield AWAITING_GROUP, list(dashboard.awaiting)


def _group_title(dashboard: Dashboard, key: str, entries: list[DashboardEntry]) -> str:
    if key == AWAITING_GROUP:
        return f"*✅ Resolved, awaiting the customer's confirmation* · {dashboard.awaiting_total}"
    count = len(entries) + dashboard.unread_open.get(key, 0)
    breached = sum(1 for entry in entries if entry.sla.is_breached)
    label = entries[0].escalation.severity_label
    alarm = f" · 🚨 {breached} breached" if breached else ""
    return f"*{severity_badge(key)} · {label}* · {count} open{alarm}"


def _open(dashboard: Dashboard, budget: int) -> list[dict[str, Any]]:
    """The open list within `budget` blocks: groups and lines while they fit, then the counts."""
    blocks = [_header("open_header", "Open escalations")]
    if not dashboard.open_total and not dashboard.awaiting_total:
        quiet = "No open escalations. 🎉" if not dashboard.hidden else "No open escalations you can see."
        blocks.append(_section("open_none", quiet))
    room = budget - len(blocks) - TAIL_BLOCKS
    rest_open: Counter[str] = Counter(dashboard.unread_open)
    rest_awaiting = dashboard.unread_awaiting
    for key, entries in _groups(dashboard):
        shown = 0
        if room >= 2:  # a heading only with at least one line under it
            blocks.append(_section(f"group_{key}", _group_title(dashboard, key, entries)))
            room -= 1
            shown = min(len(entries), room)
            for entry in entries[:shown]:
                blocks.append(_section(f"esc_{entry.escalation.id}", escalation_text(entry, dashboard.now)))
            room -= shown
        if key == AWAITING_GROUP:
            rest_awaiting += len(entries) - shown
        elif len(entries) > shown:
            rest_open[key] += len(entries) - shown
    if more := _more(rest_open, rest_awaiting):
        blocks.append(_context("open_more", more))
    if dashboard.hidden:
        blocks.append(
            _context(
                "open_private",
                f"🔒 {_plural(dashboard.hidden, 'private escalation')} not shown: only their rooms, "
                "incident commanders and escalation managers see them.",
            )
        )
    return blocks


def _more(rest_open: Counter[str], rest_awaiting: int) -> str:
    """`…and 228 more open escalations (🟡 120 SEV-3 · 🔵 108 SEV-4), less urgent than these.`"""
    parts = []
    if total := sum(rest_open.values()):
        by_severity = " · ".join(
            f"{SEVERITY_EMOJI.get(severity, '⚪')} {rest_open[severity]} {severity}"
            for severity in sorted(rest_open)
            if rest_open[severity]
        )
        parts.append(f"{total} more open escalation{'' if total == 1 else 's'} ({by_severity})")
    if rest_awaiting:
        parts.append(f"{rest_awaiting} more awaiting the customer's confirmation")
    return f"…and {' and '.join(parts)}, less urgent than these." if parts else ""
