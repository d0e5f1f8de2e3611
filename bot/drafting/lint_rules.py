"""The seeds' drafting rules as data: which kinds they cover, the rule table, phrase lists, patterns and
word limits. The checks that apply them live in `bot.drafting.lint`.

Phrase lists are lower-case; the checks straighten curly apostrophes and match them as whole words.
"""

from __future__ import annotations

import re

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
}


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
