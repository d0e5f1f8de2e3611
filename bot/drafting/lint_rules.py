"""The seeds' drafting rules as data: which kinds they cover, the rule table, phrase lists, patterns and
word limits, and the `Finding` a broken rule gives. The checks that apply them live in `bot.drafting.lint`
and, for what a reader notices (greeting, names, times, cadences, subject), `bot.drafting.lint_reader`.

Phrase lists are lower-case; the checks straighten curly apostrophes and match them as whole words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.vocabulary import DraftKind

KINDS = tuple(DraftKind)
# Drafts a customer reads get every rule; the internal brief and summary only blame, jargon and length.
CUSTOMER_FACING = frozenset({"ack", "update", "resolution", "apology", "response", "phone", "social"})

RULES: dict[str, str] = {
    "dismissive-opening": "Opens with a stock apology or thanks (“any inconvenience”): reads as dismissive",
    "promised-resolution-time": "Promises a fix time nobody can guarantee; commit to the next update instead",
    "blame-or-defensive": "Blames the customer or another team, or argues back",
    "corporate-jargon": "Corporate jargon instead of plain words",
    "passive-voice": "Passive voice hides who did what and reads as evasion",
    "missing-customer-name": "Does not address the contact by name or name the account",
    "no-next-update": "No next update with a time (or a visible [next update time] to fill in)",
    "length": "Outside the length the seeds set for this kind of draft",
    # What a reader notices (bot.drafting.lint_reader), in the order they meet it.
    "subject-length": "Subject line over 78 characters: mail clients cut it off",
    "title-only-greeting": "Greets by a title alone (“Hi Dr.,”) with no name",
    "customer-name-case": "Writes the account's or the contact's name with the wrong capitals",
    "promised-time": "Promises a clock time with no day, or one that has already passed",
    "cadence-wording": "Writes a cadence like a timer (“every 1 day”, “every 2 h”) instead of in words",
    "copied-internal-note": "Copies a run of the internal note word for word into a customer draft",
}


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a draft."""

    rule: str
    message: str
    excerpt: str = ""


def _phrases(text: str) -> tuple[str, ...]:
    """A phrase table written as comma-separated lines."""
    return tuple(phrase.strip() for phrase in text.replace("\n", ",").split(",") if phrase.strip())


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DISMISSIVE_OPENINGS = _phrases("""
    apologize for any inconvenience, apologise for any inconvenience, apologies for any inconvenience,
    sorry for any inconvenience, regret any inconvenience, apologize for the inconvenience,
    apologise for the inconvenience, sorry for the inconvenience, thank you for your patience,
    thanks for your patience
""")
DISMISSIVE_ANYWHERE = ("any inconvenience",)
BLAME_PHRASES = _phrases("""
    you should have, your fault, user error, as we already told you, as i already told you,
    as previously stated, per our policy, that's not our, that is not our, not our fault, not our problem,
    the other team, another team's, unfortunately you, you failed to, you need to understand,
    we did nothing wrong, there's nothing we can do, there is nothing we can do
""")
JARGON_PHRASES = _phrases("""
    leverage, leveraging, synergy, synergies, circle back, touch base, going forward, moving forward,
    at this point in time, we value your business, valued customer, per my last email, best-in-class,
    best in class, reach out, reaching out, bandwidth, deep dive, low-hanging fruit, paradigm,
    take this offline, value-add, holistic, move the needle
""")

# A fix time promised outright, or a guarantee. An UPDATE time ("next update by 3pm") is the right
# commitment and must stay clean, so every pattern needs a fix verb or a guarantee word.
_FIX_VERBS = r"(?:fixed|resolved|restored|repaired|recovered|working again|back online|back up)"
_DEADLINE = (
    r"(?:by|within|before|in|no later than)\s+(?:the\s+)?(?:end\b|eod\b|today\b|tonight\b|tomorrow\b|noon\b"
    r"|midnight\b|next\b|this\b|\d|\[|monday\b|tuesday\b|wednesday\b|thursday\b|friday\b|saturday\b"
    r"|sunday\b|an?\s+(?:hour|day)\b|one\b|two\b|three\b|a few\b|24\b|48\b)"
)
PROMISE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\b(?:will|'ll|shall|going to)\b[^.!?\n]{{0,40}}?\b(?:be\s+)?{_FIX_VERBS}\s+{_DEADLINE}"),
    re.compile(rf"\b{_FIX_VERBS}\s+{_DEADLINE}"),
    re.compile(rf"\b(?:fix|resolve|restore|repair)\s+(?:it|this|that|the issue|the problem)\s+{_DEADLINE}"),
    re.compile(r"(?<!n't )(?<!not )(?<!cannot )(?<!never )\bguarantee(?:s|d|ing)?\b"),
    re.compile(r"(?<![\w.])100\s?%"),
    re.compile(r"\b(?:promise|assure you)\b[^.!?\n]{0,30}\b(?:fix|resolution|resolved|fixed)\b"),
)


# Passive voice, by heuristic: a form of "be" (adverbs like "not" or "quickly" may sit between) followed
# by a past participle: a word ending in -ed, or an irregular participle from the list below. Adjectives
# that look like participles ("we're committed", "I'm frustrated") are not counted.
BE_FORMS = frozenset(
    {"am", "is", "are", "was", "were", "be", "been", "being", "isn't", "aren't", "wasn't", "weren't"}
)
IRREGULAR_PARTICIPLES = _words("""
    made done lost built sent found told given taken seen known shown broken written paid kept left held
    brought caught begun hit hurt shut cut led meant sold spent understood forgotten hidden driven
    chosen spoken stolen frozen thrown drawn blown grown torn worn overlooked mistaken undertaken
    withdrawn put set run read struck bought thought taught sought fed
""")
PARTICIPLE_ADJECTIVES = _words("""
    interested concerned pleased committed determined dedicated frustrated worried disappointed
    delighted excited tired supposed used prepared involved satisfied surprised embarrassed ashamed
    convinced focused based located aligned experienced qualified talented advanced detailed limited
    unacceptable relieved thrilled annoyed upset
""")
# "-eed" words are rarely participles ("need", "feed"): only these few count.
EED_PARTICIPLES = frozenset({"agreed", "freed", "guaranteed", "refereed"})
# Words that may sit between the "be" form and the participle ("was not fixed", "is being handled").
PASSIVE_ADVERBS = _words("""
    not never also already now just still fully all completely currently actually really always often
    being been quickly partly mostly
""")
# Agentless passives that hide who is responsible: always flagged, whatever the ratio.
EVASIVE_PARTICIPLES = _words("""
    made caused lost corrupted deleted missed overlooked dropped damaged mishandled broken exposed
    leaked delayed ignored
""")
PASSIVE_SHARE = 0.25  # flag when more than one sentence in four is passive ...
PASSIVE_MIN_SENTENCES = 2  # ... and at least this many are: one passive in a short note is not "heavy"

# (minimum, maximum) words of the draft; seed 000 for `response`, sensible caps elsewhere.
LENGTHS: dict[str, tuple[int, int]] = {
    "ack": (0, 180),
    "update": (0, 250),
    "resolution": (0, 250),
    "apology": (0, 250),
    "response": (150, 300),
    "phone": (0, 400),
    "social": (0, 60),  # the public reply; the private DM follow-up has its own cap
    "brief": (0, 500),
    "summary": (0, 400),
}
COACHING_LENGTH = (150, 250)
SOCIAL_DM_LENGTH = (0, 200)

# A social draft holds the public reply, then a line starting "Private" (the DM follow-up).
SOCIAL_PUBLIC_HEADING = "Public reply"
SOCIAL_PRIVATE_HEADING = "Private DM follow-up"

# The salutation ("Hi David," or "David,") skipped before judging how a draft opens.
GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|dear|hey|good (?:morning|afternoon|evening))\b[^,\n]{0,40},|[^\s,]+,)", re.IGNORECASE
)
# A next-update commitment is one sentence holding both an update word and a time (or a time placeholder).
UPDATE_WORDS = re.compile(
    r"\b(?:update[sd]?|call|contact|hear from|follow(?:[- ]?up)?|get back|check in|check back|next"
    r"|report back|send)\b"
)
TIME_WORDS = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"
    r"|\b\d{1,2}:\d{2}\b"
    r"|\bend of (?:the )?(?:business|day|today|week)\b|\b(?:eod|cob|eob)\b"
    r"|\b(?:today|tonight|tomorrow|noon|midday|this (?:morning|afternoon|evening))\b"
    r"|\b(?:within|in) (?:the next )?(?:\d+|one|two|three|four|an?)\s*(?:business )?"
    r"(?:minutes?|mins?|hours?|hrs?|days?)\b|\bwithin the hour\b"
    r"|\b(?:by|on|before) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\[[^\]\n]*\b(?:time|date|when|day|deadline|timeframe)\b[^\]\n]*\]"
)


# --- what a reader notices (bot.drafting.lint_reader) --------------------------------------------------

SUBJECT_LIMIT = 78  # characters: RFC 5322's line advice, and about where mail clients cut a subject off
COPIED_NOTE_WORDS = 15  # more words in a row than this from the internal note reads as pasted
COPIED_EXCERPT_WORDS = 12

# Titles that are no greeting on their own: "Hi Dr.," lacks the name a reader expects after it.
TITLES = _words("""
    dr doctor mr mrs ms mx miss mister prof professor sir madam madame ma'am dame lord lady rev revd
    reverend fr hon capt captain col colonel lt sgt
""")
_TITLE = "(?:" + "|".join(sorted((re.escape(title) for title in TITLES), key=len, reverse=True)) + r")\.?"
# The whole salutation: an optional greeting word, then titles only ("Sir/Madam", "Mr and Mrs"), then
# the comma (or the end of the line). "Hi Dr. Nwosu," fails at "Nwosu"; "Hi Dr. [name]," at the bracket.
TITLE_ONLY_GREETING = re.compile(
    rf"^[\s*_>]*(?:(?:hi|hello|dear|hey|greetings|good\s+(?:morning|afternoon|evening))\s+)?"
    rf"{_TITLE}(?:\s*(?:/|&|\band\b|\bor\b)\s*{_TITLE})*\s*(?:[,:;!]|\s[—–-]|$)",
    re.IGNORECASE,
)

# Name parts that are also everyday words: "will" or "may" in a sentence is no misspelt "Will" or "May".
COMMON_WORD_NAMES = _words("""
    will may mark bill hope grace faith joy rose art sue pat rob ray jack frank dean drew chase page
    hunter mason cook baker king young long brown green white black gray grey hill wood little rich price
    hall bell lane park sharp wise best love noble case rush sterling summer april june august
""")

# Cadences: "every <n> <unit>". A cadence of one unit reads better as one word, and abbreviations
# ("2 h", "30 min", "1d") read like a timer setting. Units by what is written, lower-case.
CADENCE = re.compile(r"\bevery\s+(?P<n>\d+)\s*(?P<unit>(?:(?:business|working)\s+)?[a-z]+)\b", re.IGNORECASE)
CADENCE_UNITS: dict[str, str] = {
    **dict.fromkeys(("minute", "minutes", "min", "mins", "m"), "minute"),
    **dict.fromkeys(("hour", "hours", "hr", "hrs", "h"), "hour"),
    **dict.fromkeys(("day", "days", "d"), "day"),
    **dict.fromkeys(("business day", "business days"), "business day"),
    **dict.fromkeys(("working day", "working days"), "working day"),
    **dict.fromkeys(("week", "weeks", "wk", "wks", "w"), "week"),
    **dict.fromkeys(("month", "months", "mo", "mos"), "month"),
}
CADENCE_OF_ONE: dict[str, str] = {
    "minute": "every minute",
    "hour": "hourly",
    "day": "daily",
    "business day": "every business day",
    "working day": "every working day",
    "week": "weekly",
    "month": "monthly",
}

# Clock times: "3:15 PM", "3.15pm", "9 AM", "9 a.m.", "15:00", "noon", "midnight". A time with a unit
# after it ("1:30 hours") is a duration, and a digit, colon or dot before it means a version or a ratio;
# a sign before it is a zone's offset ("GMT+5:30").
CLOCK_TIME = re.compile(
    r"(?<![\w:.+-])(?:(?P<h12>1[0-2]|0?[1-9])(?:[:.](?P<m12>[0-5]\d))?\s*(?P<ampm>[ap])(?:m\b|\.\s?m\.)"
    r"|(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?::[0-5]\d)?(?![\w:])"
    r"(?!\s*(?:h|hrs?|hours?|mins?|minutes?)\b)"
    r"|(?P<noon>\bnoon\b|\bmidday\b)|(?P<midnight>\bmidnight\b))",
    re.IGNORECASE,
)
# The zone written after a time: "UTC", "GMT+1", or "<City> time" ("Berlin time", "Dar es Salaam time"),
# as bot.core.zones.zone_name writes it; the capital keeps "today to make time" from reading as a city.
CLOCK_ZONE = re.compile(
    r"\s*(?:(?P<utc>UTC|GMT)(?P<offset>\s?[+-]\d{1,2}(?::?\d{2})?)?\b"
    r"|(?P<city>(?-i:[A-Z])[\w'.-]*(?:\s+[\w'.-]+){0,2}?)\s+time\b)",
    re.IGNORECASE,
)
# A time counts as promised when a deadline word sits right before it ("by 3 PM") or its sentence looks
# ahead ("I'll call at 3 PM", "next update: 3 PM"); "the errors started at 9 AM" is a fact, not a promise.
DEADLINE_BEFORE = re.compile(
    r"\b(?:by|before|until|till|no later than|not later than)\s+(?:about\s+|around\s+|roughly\s+)?$",
    re.IGNORECASE,
)
LOOKS_AHEAD = re.compile(
    r"\b(?:will|shall|going to|next|due|expect\w*|owe|promis\w*|commit\w*|schedul\w*|hear from"
    r"|plan(?:s|ned)? to|aim(?:s|ing)? to)\b|['’]ll\b",
    re.IGNORECASE,
)
# Sentence ends: . ! ? before a capital (so "Dec. 7" and "9 a.m. tomorrow" stay whole), or a new line.
SENTENCE_END = re.compile(r"(?<!\ba\.m)(?<!\bp\.m)[.!?]+(?=\s+[A-Z\"“(\[]|\s*$)|\n")
PLACEHOLDER = re.compile(r"\[[^\]\n]*\]")

# The day a time is on. Relative days count as offsets from today in the time's zone; a weekday alone
# names a day but is not checked for being past ("Monday" may be next week's).
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
RELATIVE_DAYS: dict[str, int] = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "tomorrow": 1,
    "yesterday": -1,
}
DAY_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\b(?P<relative>today|tonight|this\s+(?:morning|afternoon|evening)|tomorrow|yesterday)\b", re.I
    ),
    re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I),
    re.compile(r"\b(?P<year>\d{4})-(?P<mm>\d{2})-(?P<day>\d{2})\b"),  # 2026-12-07
    re.compile(
        rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}\b(?:\.?,?\s+(?P<year>\d{{4}})\b)?", re.I
    ),
    re.compile(
        rf"\b{_MONTH}\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?![:.]\d)(?:,?\s+(?P<year>\d{{4}})\b)?", re.I
    ),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # 07/12/2026: a day, but which is the month is unclear
    re.compile(r"\[[^\]\n]*\b(?:day|date|when)\b[^\]\n]*\]", re.I),  # "on [date]": filled in before sending
)
