"""The seeds' quality checks for drafts, as pure functions: what a person should fix before anything is sent.

The rules themselves (kinds, rule table, phrase lists, patterns, word limits) are data in
`bot.drafting.lint_rules`; the checks for what a reader notices (subject, greeting, names, promised times,
cadences, a pasted internal note) live in `bot.drafting.lint_reader`. Phrases match as whole words,
case-insensitively, with curly apostrophes straightened, so "press" never matches "expressed".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime

from bot.drafting.lint_reader import (
    check_subject_length,
    check_title_only_greeting,
    reader_findings,
    reader_zone,
)
from bot.drafting.lint_rules import (
    BE_FORMS,
    BLAME_PHRASES,
    COACHING_LENGTH,
    CUSTOMER_FACING,
    DISMISSIVE_ANYWHERE,
    DISMISSIVE_OPENINGS,
    EED_PARTICIPLES,
    EVASIVE_PARTICIPLES,
    GREETING,
    IRREGULAR_PARTICIPLES,
    JARGON_PHRASES,
    KINDS,
    LENGTHS,
    PARTICIPLE_ADJECTIVES,
    PASSIVE_ADVERBS,
    PASSIVE_MIN_SENTENCES,
    PASSIVE_SHARE,
    PROMISE_PATTERNS,
    RULES,
    SOCIAL_DM_LENGTH,
    SOCIAL_PUBLIC_HEADING,
    TIME_WORDS,
    UPDATE_WORDS,
    Finding,
)

# split_social knows the headings by how a line starts, whatever markup a writer wraps them in; any line
# starting "Private" opens the DM part, since writers rarely keep the heading word for word.
_PUBLIC, _PRIVATE = SOCIAL_PUBLIC_HEADING.lower(), "private"
# A word holds at least one letter or digit: bullets and dashes alone are not words.
_WORD = re.compile(r"\S*[A-Za-z0-9]\S*")


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
    greeting = GREETING.match(body)
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
        return word in EED_PARTICIPLES
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
            and (words[cursor] in PASSIVE_ADVERBS or words[cursor].endswith("ly"))
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
        if UPDATE_WORDS.search(flat) and TIME_WORDS.search(flat):
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
    kind: str,
    text: str,
    *,
    customer: str | None,
    contact_name: str | None,
    coaching: str | None = None,
    subject: str | None = None,
    internal_note: str | None = None,
    now: datetime | None = None,
    zone: str | None = None,
) -> list[Finding]:
    """Everything in `text` (a draft of `kind`) that breaks the seeds' rules, in RULES order.

    Customer-facing kinds get every rule; the internal brief and summary only blame, jargon and length
    (and the subject's length, which any kind with a `subject` gets). `internal_note` is the internal
    summary a customer draft must not copy; with `now`, promised times are also checked for having passed,
    read in `zone` (an IANA name, UTC when None) unless the draft names their zone.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown draft kind {kind!r}; expected one of {', '.join(KINDS)}")
    tz = reader_zone(zone)
    checks = list(_EVERY_KIND)
    findings: list[Finding] = []
    if kind in CUSTOMER_FACING:
        checks += _CUSTOMER_FACING
        findings += check_customer_name(text, customer, contact_name)
        # A social draft is two messages: each opens on its own, and only the DM owes an update time.
        public, private = split_social(text) if kind == "social" else ("", text)
        for part in (public, private):
            findings += check_dismissive_opening(part) + check_title_only_greeting(part) if part else []
        findings += check_next_update(private) if private or kind != "social" else []
        findings += reader_findings(
            text,
            subject,
            customer=customer,
            contact_name=contact_name,
            internal_note=internal_note,
            now=now,
            zone=tz,
        )
    for check in checks:
        findings += check(text)
    findings += check_length(kind, text, coaching)
    findings += check_subject_length(subject) if subject is not None else []
    order = list(RULES)
    return sorted(findings, key=lambda finding: order.index(finding.rule))


def format_findings(findings: Iterable[Finding]) -> str:
    """One line per finding, “• message (“excerpt”)”, for Slack or a terminal."""
    lines = []
    for finding in findings:
        excerpt = f" (“{finding.excerpt}”)" if finding.excerpt else ""
        lines.append(f"• {finding.message}{excerpt}")
    return "\n".join(lines)
