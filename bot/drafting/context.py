"""What a draft may be grounded in: the escalation's read model, and what grounding adds from its history,
the room and the policy, for templates, prompts and the lint."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core.vocabulary import Mood
from bot.drafting.promise import Promise, format_promise, next_promise
from bot.escalations.customer_words import in_customer_words, read_mood
from bot.escalations.read_model import EscalationSnapshot, TimelineEntry

BRIEF_TARGETS = ("engineering", "product", "security", "leadership")
# The team a customer is told is on it, by escalation type; anything else goes to support leadership.
FIXING_TEAMS = {
    "technical": "engineering",
    "security": "security",
    "compliance": "compliance",
    "billing": "billing",
}


# Titles a salutation keeps with the family name ("Dr. Nwosu"); the second set is written without a dot.
TITLES = frozenset(
    {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "dame", "rev", "capt"}
    | {"mme", "mlle", "m", "herr", "frau", "sr", "sra", "srta", "dott", "dottssa"}
)
TITLES_WITHOUT_DOT = frozenset({"miss", "professor", "sir", "dame", "mme", "mlle", "herr", "frau"})
# Where a family name starts when it has more than one word ("van Dijk", "de la Cruz", "bin Salleh").
PARTICLES = frozenset(
    {"van", "von", "de", "da", "del", "della", "di", "du", "le", "la", "bin", "al", "ter", "ten"}
)


def placeholder(label: str) -> str:
    """A visible gap for a fact the record lacks: `[next update time]`, never an invented value."""
    return f"[{label}]"


def format_duration(delta: timedelta) -> str:
    """`45 min`, `3 h 20 min`, `2 d 4 h`."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


@dataclass(frozen=True, kw_only=True)
class DraftContext:
    """Everything a draft may say about one escalation; `None` means the record does not know.

    The escalation's own facts are read from `escalation` (the one read model); this class only adds
    what grounding finds beyond the row and what the drafts derive from both.
    """

    escalation: EscalationSnapshot
    customer_tenure: str | None = None
    contacts_so_far: int | None = None
    ic_name: str | None = None
    reported_by_name: str | None = None  # who raised it in Slack (the escalation's caller)
    waiting_since: datetime | None = None  # when the customer's problem started, from the intake
    company_name: str | None = None
    next_customer_update_at: datetime | None = None  # when the update after this one is due
    update_owed_at: datetime | None = None  # when this update was due: the clock, or what we promised
    zone: str = "UTC"  # the zone promised times are written in: the contact's, else the IC's
    contacts_zone: bool = False  # True when `zone` is the contact's own
    customer_update_cadence: str | None = None
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)
    recent_messages: tuple[str, ...] = field(default_factory=tuple)
    brief_target: str = "engineering"
    strategic: bool = False  # `is_strategic` under the policy in force
    now: datetime

    @property
    def salutation_name(self) -> str | None:
        """How a letter greets the contact: "David" for David Okafor, "Dr. Nwosu" for Dr. Amara Nwosu (a
        title goes with the family name, "Ms. van Dijk" with its particle); None without a name."""
        words = (self.escalation.contact_name or "").split()
        titled = bool(words) and words[0].rstrip(".").casefold() in TITLES
        names = words[1:] if titled else words
        if not names:
            return None
        if not titled:
            return names[0]
        bare = words[0].rstrip(".").casefold()
        title = bare.capitalize() + ("" if bare in TITLES_WITHOUT_DOT else ".")
        if bare in ("sir", "dame"):  # these go with the given name: "Sir John"
            return f"{title} {names[0]}"
        start = next(
            (i for i, name in enumerate(names[1:], 1) if name.casefold() in PARTICLES), len(names) - 1
        )
        return f"{title} {' '.join(names[start:])}"

    @property
    def addressee(self) -> str:
        """Who a customer message greets: the contact by name, else the account's team."""
        return self.salutation_name or f"{self.escalation.customer} team"

    @property
    def issue(self) -> str:
        """The problem in the customer's words, as a phrase inside a sentence ("your grades are
        disappearing"): the intake's wording, else what the rules make of the summary, never the summary."""
        esc = self.escalation
        return esc.customer_wording or in_customer_words(esc.title, esc.customer) or "the issue you reported"

    @property
    def mood(self) -> Mood:
        """How the customer feels: as the intake says, else as the record's words tell."""
        return Mood.parse(self.escalation.customer_mood) or read_mood(
            f"{self.escalation.title}\n{self.escalation.description}"
        )

    @property
    def promise(self) -> Promise | None:
        """The next update this draft promises (future, on a quarter hour, in `zone`), or None."""
        return next_promise(
            self.next_customer_update_at, self.now, self.zone, self.contacts_zone, self.update_owed_at
        )

    @property
    def next_update(self) -> str:
        """When the customer hears from us next ("3:15 PM Berlin time today"), or `[next update time]`."""
        promise = self.promise
        if promise is None:
            return placeholder("next update time")
        return format_promise(promise.at, self.now, promise.zone)

    @property
    def update_owed(self) -> str | None:
        """For the team: when the customer is owed the update now due ("5:00 PM Berlin time today", or
        "now: it was due 2:00 PM UTC today"), in the zone promises are written in; None when none is."""
        owed = self.update_owed_at
        if owed is None:
            return None
        when = format_promise(owed, self.now, self.zone)
        return f"now: it was due {when}" if owed < self.now else when

    @property
    def team(self) -> str:
        """The team working on it, as the customer is told: "engineering", "security"..."""
        return FIXING_TEAMS.get(self.escalation.escalation_type, "support leadership")

    @property
    def company(self) -> str:
        """Our company's name, or `[company]`."""
        return self.company_name or placeholder("company")

    @property
    def repeat_contacts(self) -> bool:
        """True when the customer has had to contact support more than once."""
        return self.contacts_so_far is not None and self.contacts_so_far >= 2

    @property
    def account_facts(self) -> list[str]:
        """What weighs on the account, as short phrases ("Enterprise tier", "$180,000 a year at risk")."""
        esc = self.escalation
        facts = [
            f"a customer for {self.customer_tenure}" if self.customer_tenure else "",
            f"{esc.tier.title()} tier" if esc.tier else "",
            f"${esc.arr_at_risk:,} a year at risk" if esc.arr_at_risk is not None else "",
            f"{self.contacts_so_far} contacts without a fix" if self.repeat_contacts else "",
            "a public-exposure risk" if esc.public_exposure else "",
            "regulatory implications" if esc.regulatory else "",
        ]
        return [fact for fact in facts if fact]

    @property
    def tried_items(self) -> list[str]:
        """What has been tried, one item per line (per semicolon when it is all one line), capitalised:
        "paused the sync; grades stayed" on its own line is one step and its result."""
        tried = self.escalation.tried.strip()
        items = (item.strip(" -•*.") for item in re.split(r"\n+" if "\n" in tried else r";\s*", tried))
        return [item[:1].upper() + item[1:] for item in items if item]

    @property
    def progress_items(self) -> list[str]:
        """What we have done: the room's latest internal updates, else what has been tried."""
        updates = [
            entry.text.strip() for entry in self.timeline if entry.kind == "internal_update" and entry.text
        ]
        return updates[-3:] or self.tried_items

    def clock(self, moment: datetime) -> str:
        """`14:05 UTC` today, `2 Mar 14:05 UTC` on another day."""
        moment = moment.astimezone(UTC)
        if moment.date() == self.now.astimezone(UTC).date():
            return f"{moment:%H:%M} UTC"
        return f"{moment.day} {moment:%b %H:%M} UTC"

    def timeline_lines(self, limit: int) -> list[str]:
        """The last `limit` timeline entries as `14:05 UTC: text`."""
        return [f"{self.clock(entry.at)}: {entry.text}" for entry in self.timeline[-limit:]]

    @property
    def time_in_queue(self) -> str | None:
        """How long since the escalation opened and how often they contacted us, or None if unknown."""
        parts = []
        if self.timeline:
            started = self.timeline[0].at
            parts.append(f"{format_duration(self.now - started)} since {self.clock(started)}")
        if self.contacts_so_far:
            parts.append(f"{self.contacts_so_far} contacts with support")
        return "; ".join(parts) or None
