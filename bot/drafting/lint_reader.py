"""The lint's checks for what a reader notices, as pure functions: a subject that gets cut off, a greeting
with a title but no name, a name in the wrong capitals, a promised time with no day or already past, a
cadence written like a timer, and the internal note pasted into a customer draft.

The patterns and word lists are data in `bot.drafting.lint_rules`; `bot.drafting.lint.lint_draft` runs
these checks with the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.core.zones import known_zone
from bot.drafting.lint_rules import (
    CADENCE,
    CADENCE_OF_ONE,
    CADENCE_UNITS,
    CLOCK_TIME,
    CLOCK_ZONE,
    COMMON_WORD_NAMES,
    COPIED_EXCERPT_WORDS,
    COPIED_NOTE_WORDS,
    DAY_PATTERNS,
    DEADLINE_BEFORE,
    LOOKS_AHEAD,
    MONTHS,
    PLACEHOLDER,
    RELATIVE_DAYS,
    SENTENCE_END,
    SUBJECT_LIMIT,
    TITLE_ONLY_GREETING,
    Finding,
)

# A day reference names the day a time is on; `day` is the date it names (None: a weekday alone, a
# slash date or a placeholder, which name a day without saying which date for sure).
_DayRef = tuple[int, int, date | None]  # (start, end, day)
_DAY_AFTER = 30  # a day written this many characters after a time still belongs in its excerpt


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Each finding once: a phone guide repeats its update time, and one finding says it."""
    return list(dict.fromkeys(findings))


# --- subject and greeting -------------------------------------------------------------------------------


def check_subject_length(subject: str) -> list[Finding]:
    """A subject over SUBJECT_LIMIT characters; the excerpt is what a mail client would cut."""
    subject = " ".join(subject.split())
    if len(subject) <= SUBJECT_LIMIT:
        return []
    cut = subject.rfind(" ", 0, SUBJECT_LIMIT + 1)
    return [
        Finding(
            "subject-length",
            f"The subject has {len(subject)} characters; keep it to {SUBJECT_LIMIT} so it is not cut off",
            "…" + subject[cut + 1 if cut > 0 else SUBJECT_LIMIT :],
        )
    ]


def _first_line(text: str) -> str:
    """The first line a reader sees: past a "Subject:" line and a bracketed note to the sender."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.lower().startswith("subject:") or PLACEHOLDER.fullmatch(stripped):
            continue
        return stripped
    return ""


def check_title_only_greeting(text: str) -> list[Finding]:
    """A salutation that is a title alone ("Hi Dr.,", "Dear Ms,"): the name was left out."""
    match = TITLE_ONLY_GREETING.match(_first_line(text))
    if not match:
        return []
    return [
        Finding(
            "title-only-greeting",
            "Greets them by a title alone; add their name after it (“Dr. Nwosu”), or greet them by name",
            match.group(0).strip(" *_>"),
        )
    ]


# --- names ------------------------------------------------------------------------------------------------


def _names_to_match(customer: str | None, contact_name: str | None) -> list[str]:
    """The names whose capitals must match: the account, the contact, and the contact's first and last
    name unless the given name is all lower-case ("as written") or a part is an everyday word ("Will")."""
    names = [" ".join(name.split()) for name in (customer, contact_name) if name and name.strip()]
    parts = (contact_name or "").split()
    names += [
        part
        for part in dict.fromkeys(parts[:1] + parts[-1:])
        if len(part.strip(".")) > 1 and part.lower() not in COMMON_WORD_NAMES
    ]
    names = [name for name in dict.fromkeys(names) if name != name.lower()]
    return sorted(names, key=len, reverse=True)  # the full name first, so its parts are not found twice


def _in_address(text: str, start: int, end: int) -> bool:
    """Inside an email address, a link or a handle ("david@acme.com", "@david"): written as typed."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    token = text[start:end]
    return "@" in token or "/" in token or "www." in token.lower()


def check_name_case(text: str, customer: str | None, contact_name: str | None) -> list[Finding]:
    """The account's or contact's name written with other capitals ("orbital Schools", "DAVID")."""
    findings, taken = [], []
    for name in _names_to_match(customer, contact_name):
        words = r"\s+".join(re.escape(word) for word in name.split())
        for match in re.finditer(rf"(?<!\w){words}(?!\w)", text, re.IGNORECASE):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            written = " ".join(match.group(0).split())
            if written != name and not _in_address(text, *match.span()):
                findings.append(
                    Finding("customer-name-case", f"Writes “{written}”; the name is “{name}”", written)
                )
    return _dedupe(findings)


# --- cadences ---------------------------------------------------------------------------------------------


def check_cadence_wording(text: str) -> list[Finding]:
    """ "every 1 day" (say "daily") and abbreviated units ("every 2 h": say "every 2 hours")."""
    findings = []
    for match in CADENCE.finditer(text):
        written_unit = " ".join(match.group("unit").lower().split())
        unit = CADENCE_UNITS.get(written_unit)
        if unit is None:
            continue
        count = int(match.group("n"))
        abbreviated = not written_unit.startswith(unit)
        if count != 1 and not abbreviated:
            continue
        better = CADENCE_OF_ONE[unit] if count == 1 else f"every {count} {unit}s"
        written = " ".join(match.group(0).split())
        findings.append(Finding("cadence-wording", f"Write “{better}” instead of “{written}”", written))
    return _dedupe(findings)


# --- promised times ---------------------------------------------------------------------------------------


@cache
def _cities() -> dict[str, str]:
    """IANA zones by their city, lower-case ("new york" -> "America/New_York"), for "9 AM New York time".
    Where two zones share a city (Asia/ and Europe/Istanbul) either is the same clock."""
    cities: dict[str, str] = {}
    for key in sorted(available_timezones()):
        if "/" in key:
            cities.setdefault(key.rsplit("/", 1)[1].replace("_", " ").lower(), key)
    return cities


def reader_zone(zone: str | None) -> tzinfo:
    """The zone `zone` names (an IANA name, case folded; UTC when None); ValueError when there is none.
    Looked up in the list of zones, as the intake does, so no text reaches the file system."""
    key = known_zone(zone) if zone else "UTC"
    if key is None:
        raise ValueError(f"unknown time zone {zone!r}; expected an IANA name like 'Europe/Berlin'")
    return UTC if key == "UTC" else ZoneInfo(key)


def _written_zone(match: re.Match[str] | None, default: tzinfo) -> tzinfo:
    """The zone a time's label names ("UTC", "GMT+1", "Berlin time"); `default` when none or unknown."""
    if match is None:
        return default
    if match.group("utc"):
        offset = (match.group("offset") or "").replace(" ", "")
        parts = re.fullmatch(r"([+-])(\d{1,2})(?::?(\d{2}))?", offset)
        if parts is None:
            return UTC
        sign = -1 if parts.group(1) == "-" else 1
        hours, minutes = int(parts.group(2)), int(parts.group(3) or 0)
        try:
            return timezone(sign * timedelta(hours=hours, minutes=minutes))
        except ValueError:  # "GMT+99" is no zone
            return default
    key = _cities().get(" ".join(match.group("city").lower().split()))
    return ZoneInfo(key) if key else default


def _zone_name(zone: tzinfo) -> str:
    if isinstance(zone, ZoneInfo):
        return zone.key.rsplit("/", 1)[-1].replace("_", " ") + " time"
    return str(zone)  # "UTC", "UTC+01:00"


def _sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for end in SENTENCE_END.finditer(text):
        yield start, end.end()
        start = end.end()
    yield start, len(text)


def _nearest_year(month: int, day: int, today: date) -> date | None:
    """A date written without a year, in the year that puts it nearest today (within about six months
    either way): on 4 December "5 January" is next January's, on 2 January "30 December" last year's."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:  # 29 February in a common year, 31 April
            continue
    return min(candidates, key=lambda candidate: abs(candidate - today), default=None)


def _day_refs(sentence: str, today: date | None) -> list[_DayRef]:
    """Every day the sentence names, in order, with the date when it says one for sure (and `today`,
    which dates are counted from, is known)."""
    refs: list[_DayRef] = []
    for pattern in DAY_PATTERNS:
        for match in pattern.finditer(sentence):
            if any(match.start() < end and start < match.end() for start, end, _ in refs):
                continue  # "Monday" inside a date already read, a year read as a day
            refs.append((match.start(), match.end(), _date_of(match.groupdict(), today)))
    return sorted(refs, key=lambda ref: ref[0])


def _date_of(groups: dict[str, str | None], today: date | None) -> date | None:
    if today is None:
        return None
    if groups.get("relative"):
        return today + timedelta(days=RELATIVE_DAYS[" ".join((groups["relative"] or "").lower().split())])
    if not groups.get("day"):
        return None  # a weekday, a slash date, a placeholder
    month = int(groups["mm"] or 0) if "mm" in groups else MONTHS[(groups["month"] or "").lower()]
    day = int(groups["day"] or 0)
    if not groups.get("year"):
        return _nearest_year(month, day, today)
    try:
        return date(int(groups["year"] or 0), month, day)
    except ValueError:  # 31 April: a day is named, but no date to check
        return None


def _clock(match: re.Match[str]) -> time:
    if match.group("noon"):
        return time(12)
    if match.group("midnight"):
        return time(23, 59, 59)  # "by midnight today" is the end of today
    if match.group("h12"):
        hour = int(match.group("h12")) % 12 + (12 if match.group("ampm").lower() == "p" else 0)
        return time(hour, int(match.group("m12") or 0))
    return time(int(match.group("h24")), int(match.group("m24")))


def _show(moment: datetime) -> str:
    """ "4:00 PM Berlin time on Friday 4 December", as our drafts write a time."""
    clock = moment.strftime("%I:%M %p").lstrip("0")
    return f"{clock} {_zone_name(moment.tzinfo or UTC)} on {moment:%A} {moment.day} {moment:%B}"


def _promised_clocks(masked: str) -> Iterator[tuple[int, int, re.Match[str], int, int]]:
    """(sentence start, sentence end, clock, excerpt start, excerpt end) of each promised clock time;
    offsets in the sentence. Promised: a deadline word right before it ("by 3 PM"), or a look-ahead
    earlier in its sentence ("I'll call at 3 PM", "next update: 3 PM"). Only earlier: in "the fix went
    out at 2 PM and I'll write by 6 PM" the 2 PM is a fact."""
    for start, end in _sentence_spans(masked):
        sentence = masked[start:end]
        for clock in CLOCK_TIME.finditer(sentence):
            deadline = DEADLINE_BEFORE.search(sentence[: clock.start()])
            if deadline or LOOKS_AHEAD.search(sentence[: clock.start()]):
                label = CLOCK_ZONE.match(sentence, clock.end())
                first = deadline.start() if deadline else clock.start()
                yield start, end, clock, first, label.end() if label else clock.end()


def check_promised_time(text: str, now: datetime | None = None, zone: tzinfo = UTC) -> list[Finding]:
    """Each promised clock time that names no day in its sentence, or (with `now`) has already passed.

    A time reads in the zone written after it ("UTC", "Berlin time"), else in `zone`. A time inside a
    [placeholder] is filled in before sending; one in a sentence that neither sets a deadline nor looks
    ahead is a fact ("the errors started at 9 AM"), not a promise.
    """
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=UTC)  # the bot's clocks are UTC
    masked = PLACEHOLDER.sub(lambda match: " " * len(match.group(0)), text)
    findings = []
    for start, end, clock, first, last in _promised_clocks(masked):
        sentence = text[start:end]
        if not _day_refs(sentence, None):
            excerpt = sentence[first:last].strip()
            message = f"“{excerpt}” names no day; say which (“today”, “tomorrow”, “on Monday 7 December”)"
            findings.append(Finding("promised-time", message, excerpt))
            continue
        if now is None:
            continue
        here = _written_zone(CLOCK_ZONE.match(sentence, clock.end()), zone)
        dated = [ref for ref in _day_refs(sentence, now.astimezone(here).date()) if ref[2] is not None]
        after = [ref for ref in dated if ref[0] >= clock.end()]
        before = [ref for ref in dated if ref[1] <= clock.start()]
        ref = after[0] if after else (before[-1] if before else None)
        if ref is None or ref[2] is None:
            continue  # a weekday alone: it may be next week's
        if datetime.combine(ref[2], _clock(clock), here) >= now:
            continue
        between = masked[start + last : start + ref[0]]
        if ref[0] >= last and len(between) <= _DAY_AFTER and not CLOCK_TIME.search(between):
            last = ref[1]  # "by 10:00 AM London time on Monday 7 December", as the reader reads it
        excerpt = sentence[first:last].strip()
        message = (
            f"“{excerpt}” has already passed (it is {_show(now.astimezone(here))}); promise a later time"
        )
        findings.append(Finding("promised-time", message, excerpt))
    return _dedupe(findings)


# --- the internal note ------------------------------------------------------------------------------------


def _plain_words(text: str) -> list[tuple[str, str]]:
    """(as written, lower-case without punctuation) for each word; bullets and dashes are no words."""
    words = []
    for word in text.split():
        plain = re.sub(r"[^\w]|_", "", word.lower().replace("’", "'"))
        if plain:
            words.append((word, plain))
    return words


def check_copied_internal_note(text: str, internal_note: str | None) -> list[Finding]:
    """More than COPIED_NOTE_WORDS words in a row of the internal note, pasted into the draft."""
    size = COPIED_NOTE_WORDS + 1
    note = [plain for _, plain in _plain_words(internal_note or "")]
    if len(note) < size:
        return []
    grams = {tuple(note[index : index + size]) for index in range(len(note) - size + 1)}
    draft = _plain_words(text)
    plain = [word for _, word in draft]
    findings, index = [], 0
    while index + size <= len(draft):
        if tuple(plain[index : index + size]) not in grams:
            index += 1
            continue
        end = index + size  # grow the run while its last `size` words still come from the note
        while end < len(draft) and tuple(plain[end - size + 1 : end + 1]) in grams:
            end += 1
        copied = [written for written, _ in draft[index:end]]
        excerpt = " ".join(copied[:COPIED_EXCERPT_WORDS])
        if len(copied) > COPIED_EXCERPT_WORDS:
            excerpt = excerpt.rstrip(",;:.!?") + "…"
        findings.append(
            Finding(
                "copied-internal-note",
                f"{len(copied)} words in a row come from the internal note; write to the customer instead",
                excerpt,
            )
        )
        index = end
    return findings


def reader_findings(
    text: str,
    subject: str | None,
    *,
    customer: str | None,
    contact_name: str | None,
    internal_note: str | None,
    now: datetime | None,
    zone: tzinfo,
) -> list[Finding]:
    """The reader checks of a customer-facing draft's text and subject (the greeting is checked per
    message by the caller, since a social draft holds two)."""
    findings: list[Finding] = []
    for part in (subject or "", text):
        findings += check_name_case(part, customer, contact_name)
        findings += check_promised_time(part, now, zone)
        findings += check_cadence_wording(part)
    findings += check_copied_internal_note(text, internal_note)
    return _dedupe(findings)
