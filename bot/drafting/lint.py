"""The seeds' quality rules for drafts, as pure checks: what a person should fix before anything is sent.

Phrases match as whole words, case-insensitively, with curly apostrophes straightened, so "press" never
matches "expressed".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.core.vocabulary import DraftKind

KINDS = tuple(DraftKind)
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
_EED_PARTICIPLES = frozenset({"agreed", "freed", "guaranteed", "refereed"})
_ADVERBS = _words("""
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
_PUBLIC, _PRIVATE = SOCIAL_PUBLIC_HEADING.lower(), "private"

_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|dear|hey|good (?:morning|afternoon|evening))\b[^,\n]{0,40},|[^\s,]+,)", re.IGNORECASE
)
_UPDATE_WORDS = re.compile(
    r"\b(?:update[sd]?|call|contact|hear from|follow(?:[- ]?up)?|get back|check in|check back|next"
    r"|report back|send)\b"
)
_TIME_WORDS = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"
    r"|\b\d{1,2}:\d{2}\b"
    r"|\bend of (?:the )?(?:business|day|today|week)\b|\b(?:eod|cob|eob)\b"
    r"|\b(?:today|tonight|tomorrow|noon|midday|this (?:morning|afternoon|evening))\b"
    r"|\b(?:within|in) (?:the next )?(?:\d+|one|two|three|four|an?)\s*(?:business )?"
    r"(?:minutes?|mins?|hours?|hrs?|days?)\b|\bwithin the hour\b"
    r"|\b(?:by|on|before) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\[[^\]\n]*\b(?:time|date|when|day|deadline|timeframe)\b[^\]\n]*\]"
)
_WORD = re.compile(r"\S*[A-Za-z0-9]\S*")


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a draft."""

    rule: str
    message: str
    excerpt: str = ""


# --- text helpers -------------------------------------------------------------------------------------


def _flat(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(phrase)}(?:s|es|d|ed)?(?![a-z0-9])")


def _find_phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases present as whole words, each as the words actually written."""
    flat, found = _flat(text), []
    for phrase in phrases:
        match = _phrase_pattern(phrase).search(flat)
        if match:
            found.append(text[match.start() : match.end()])
    return found


def word_count(text: str) -> int:
    """Words as a reader counts them: bullets, dashes and markup alone are not words."""
    return len(_WORD.findall(text))


def sentences(text: str) -> list[str]:
    """Sentences and lines (bullets and headings stand alone), without the empty ones."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [part.strip() for part in parts if _WORD.search(part)]


def split_social(text: str) -> tuple[str, str]:
    """(public reply, private DM follow-up) of a social draft; the DM part is "" when absent."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.strip(" *_#:>-").lower().startswith(_PRIVATE):
            public, private = lines[:index], lines[index + 1 :]
            break
    else:
        public, private = lines, []
    public = [line for line in public if not line.strip(" *_#:>-").lower().startswith(_PUBLIC)]
    return "\n".join(public).strip(), "\n".join(private).strip()


def _opening(text: str) -> str:
    """The first sentence after the subject line and the greeting."""
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and lines[0].strip().lower().startswith("subject:"):
        lines = lines[1:]
    body = "\n".join(lines).lstrip()
    greeting = _GREETING.match(body)
    if greeting and word_count(greeting.group(0)) <= 6:
        body = body[greeting.end() :]
    first = sentences(body)
    return first[0] if first else ""


# --- rules --------------------------------------------------------------------------------------------


def check_dismissive_opening(text: str) -> list[Finding]:
    """Stock apologies as the opening line, and "any inconvenience" anywhere."""
    findings = [
        Finding("dismissive-opening", "Opens with a stock line; open with what happened to them instead", hit)
        for hit in _find_phrases(_opening(text), DISMISSIVE_OPENINGS)
    ]
    if not findings:
        findings = [
            Finding(
                "dismissive-opening", "“Any inconvenience” belittles the impact; name the real impact", hit
            )
            for hit in _find_phrases(text, DISMISSIVE_ANYWHERE)
        ]
    return findings


def check_promised_resolution_time(text: str) -> list[Finding]:
    """Fix times and guarantees (seed 000: commit to an update time instead)."""
    flat = _flat(text)
    spans: list[tuple[int, int]] = []
    for pattern in PROMISE_PATTERNS:
        for match in pattern.finditer(flat):
            if not any(start < match.end() and match.start() < end for start, end in spans):
                spans.append(match.span())
    return [
        Finding(
            "promised-resolution-time",
            "Promises a fix time or a guarantee; commit to the next update time instead",
            _whole_words(text, start, end),
        )
        for start, end in sorted(spans)
    ]


def _whole_words(text: str, start: int, end: int) -> str:
    """`text[start:end]` widened to whole words ("'ll have" -> "We'll have")."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end].strip()


def check_blame(text: str) -> list[Finding]:
    """Blame on the customer or another team, and defensive wording."""
    return [
        Finding("blame-or-defensive", "Blames or argues; take ownership instead", hit)
        for hit in _find_phrases(text, BLAME_PHRASES)
    ]


def check_jargon(text: str) -> list[Finding]:
    """Corporate jargon (seed 000: "Do not use corporate jargon")."""
    return [
        Finding("corporate-jargon", f"Jargon: say it plainly instead of “{hit}”", hit)
        for hit in _find_phrases(text, JARGON_PHRASES)
    ]


def _is_participle(word: str) -> bool:
    if word in PARTICIPLE_ADJECTIVES:
        return False
    if word in IRREGULAR_PARTICIPLES:
        return True
    if word.endswith("eed"):
        return word in _EED_PARTICIPLES
    return len(word) >= 5 and word.endswith("ed")


def passive_constructions(sentence: str) -> list[tuple[str, bool]]:
    """Each passive construction in `sentence`, as (words, evasive): evasive means an agentless passive
    of a blame-hiding verb ("mistakes were made", "your data was lost")."""
    words = re.findall(r"[a-z0-9']+", _flat(sentence))
    found, resume = [], 0
    for index, word in enumerate(words):
        if index < resume or not (word in BE_FORMS or word.endswith(("'re", "'m"))):
            continue
        cursor, negated = index + 1, word.endswith("n't")
        while (
            cursor < len(words)
            and cursor - index <= 3
            and (words[cursor] in _ADVERBS or words[cursor].endswith("ly"))
        ):
            negated = negated or words[cursor] in ("not", "never")
            cursor += 1
        if cursor < len(words) and _is_participle(words[cursor]):
            participle = words[cursor]
            has_agent = cursor + 1 < len(words) and words[cursor + 1] == "by"
            evasive = participle in EVASIVE_PARTICIPLES and not has_agent and not negated
            found.append((" ".join(words[index : cursor + 1]), evasive))
            resume = cursor + 1
    return found


def check_passive_voice(text: str) -> list[Finding]:
    """Evasive agentless passives always; otherwise heavy passive (more than one sentence in four)."""
    all_sentences = sentences(text)
    per_sentence = [passive_constructions(sentence) for sentence in all_sentences]
    findings = [
        Finding("passive-voice", "Agentless passive hides who did it; say “we …”", words)
        for constructions in per_sentence
        for words, evasive in constructions
        if evasive
    ]
    passive = [constructions[0][0] for constructions in per_sentence if constructions]
    if (
        not findings
        and len(passive) >= PASSIVE_MIN_SENTENCES
        and len(passive) > PASSIVE_SHARE * len(all_sentences)
    ):
        findings.append(
            Finding(
                "passive-voice",
                f"{len(passive)} of {len(all_sentences)} sentences are passive; say who does what",
                ", ".join(passive[:3]),
            )
        )
    return findings


def _names(customer: str | None, contact_name: str | None) -> list[str]:
    names = [name for name in (contact_name, customer) if name and name.strip()]
    parts = (contact_name or "").split()
    names += [part for part in (parts[:1] + parts[-1:]) if len(part) > 1]
    return names


def check_customer_name(text: str, customer: str | None, contact_name: str | None) -> list[Finding]:
    """The contact (first, last or full name) or the account is named somewhere."""
    names = _names(customer, contact_name)
    if not names or _find_phrases(text, [name.lower() for name in names]):
        return []
    return [Finding("missing-customer-name", f"Never names {contact_name or customer}; address them by name")]


def check_next_update(text: str) -> list[Finding]:
    """Some sentence commits to an update (call, follow-up...) with a time or a time placeholder."""
    for sentence in sentences(text):
        flat = _flat(sentence)
        if _UPDATE_WORDS.search(flat) and _TIME_WORDS.search(flat):
            return []
    return [Finding("no-next-update", "No next update with a time; add “next update by [next update time]”")]


def _length_finding(what: str, words: int, bounds: tuple[int, int], source: str) -> list[Finding]:
    low, high = bounds
    if low <= words <= high:
        return []
    limit = f"{low}-{high}" if low else f"at most {high}"
    return [Finding("length", f"{what} has {words} words; {source} asks for {limit}")]


def check_length(kind: str, text: str, coaching: str | None = None) -> list[Finding]:
    """Word counts against LENGTHS (seed 000 for the response draft and its coaching notes)."""
    if kind == "social":
        public, private = split_social(text)
        return _length_finding("Public reply", word_count(public), LENGTHS["social"], "a public post") + (
            _length_finding("DM follow-up", word_count(private), SOCIAL_DM_LENGTH, "a DM")
        )
    source = "seed 000" if kind == "response" else "the house style"
    findings = _length_finding(f"The {kind} draft", word_count(text), LENGTHS[kind], source)
    if kind == "response" and coaching is not None:
        findings += _length_finding("The coaching notes", word_count(coaching), COACHING_LENGTH, "seed 000")
    return findings


# --- the lint -----------------------------------------------------------------------------------------

_EVERY_KIND: tuple[Callable[[str], list[Finding]], ...] = (check_blame, check_jargon)
_CUSTOMER_FACING: tuple[Callable[[str], list[Finding]], ...] = (
    check_promised_resolution_time,
    check_passive_voice,
)


def lint_draft(
    kind: str, text: str, *, customer: str | None, contact_name: str | None, coaching: str | None = None
) -> list[Finding]:
    """Everything in `text` (a draft of `kind`) that breaks the seeds' rules, in RULES order.

    Customer-facing kinds get every rule; the internal brief and summary only blame, jargon and length.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown draft kind {kind!r}; expected one of {', '.join(KINDS)}")
    checks = list(_EVERY_KIND)
    findings: list[Finding] = []
    if kind in CUSTOMER_FACING:
        checks += _CUSTOMER_FACING
        findings += check_customer_name(text, customer, contact_name)
        # A social draft is two messages: each opens on its own, and only the DM owes an update time.
        public, private = split_social(text) if kind == "social" else ("", text)
        for part in (public, private):
            findings += check_dismissive_opening(part) if part else []
        findings += check_next_update(private) if private or kind != "social" else []
    for check in checks:
        findings += check(text)
    findings += check_length(kind, text, coaching)
    order = list(RULES)
    return sorted(findings, key=lambda finding: order.index(finding.rule))


def format_findings(findings: Iterable[Finding]) -> str:
    """One line per finding, “• message (“excerpt”)”, for Slack or a terminal."""
    lines = []
    for finding in findings:
        excerpt = f" (“{finding.excerpt}”)" if finding.excerpt else ""
        lines.append(f"• {finding.message}{excerpt}")
    return "\n".join(lines)
