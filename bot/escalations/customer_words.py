"""What the intake form prefills for the customer's side of the record (pure): the problem in the
customer's words, and how the customer feels.

The summary is the team's note ("Brookvale Unified says the gradebook sync has been deleting grades in
14 schools"); a letter to Brookvale says "the gradebook sync has been deleting grades in 14 schools".
The rules only do what they can tell: drop who passed it on and who said it, write the customer as "you"
and "your", a question as "your question about…", leave a threat out (seed 000: never name it), and cut
a long summary at a clause. A person edits it on the form; Claude writes it when configured.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.vocabulary import Mood

WORDING_MAX = 300  # characters, the column's size
WORDING_WORDS = 15  # a phrase inside a sentence, not a paragraph
_YOU = "\x00"  # the account as the subject ("Acme clicked…"), marked until its verb agrees with "you"


def _pairs(text: str) -> dict[str, str]:
    return dict(pair.split(":") for pair in text.split())


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Who passed it on ("Ticket note from Ravi:", "Email from Priya Raman, Head of Ops at Corvane:"), or any
# short lead before a colon ("Femi in #support:", "Small one:"): the problem follows. Never "09:40".
_RELAY = re.compile(
    r"^\s*(?:(?:ticket|support|internal|slack)\s+)?(?:note|email|message|call|ticket|update|per|via"
    r"|paraphrase)\b[^:]{0,80}:\s*",
    re.I,
)
_LEAD = re.compile(r"^(?:[^\s:]+\s+){0,9}[^\s:]+:\s+(?=(?:\S+\s+){3})")
_TOLD = r"says|said|reports|reported|tells us|told us|complains|complained|writes|wrote|mentions|mentioned"
_REPORTED = rf"(?:{_TOLD}|report|is seeing|are seeing|sees?|notices|noticed|found|pointed out)"
_REPORTED += r"(?:,[^,]{1,25},)?(?:\s+that)?\s+"
# Who tells it, when not the account: a role there ("the owner", "Fable & Finch's owner", "DPO") or a
# person ("Teodora", "Inés Ortega, COO,"). Not "see" ("users see errors" is the problem), and not a thing
# ("Contract says": what it says is only half of it). The teller's "she" and "him" are then the reader.
_SAYS = rf"(?:{_TOLD}|noticed|found|pointed out|is (?:furious|angry|upset|frustrated))(?:,[^,]{{1,25}},)?"
_SAYS += r"(?:\s+(?:that|about))?\s+"
_NAME = r"(?!Contract|Policy|Email|Invoice|Report)[A-Z][\w'’-]*(?:\s+(?:&\s+)?[A-Z][\w'’-]*){0,3}"
_ROLE = rf"(?:{_NAME}(?:'s|’s|'|’)\s+)?" + (
    r"(?i:(?:the\s+|your\s+|their\s+)?(?:[\w-]+\s+){0,2}?(?:owner|admin|manager|lead|director|officer"
    r"|contractor|dpo|coo|cfo|cto|ceo|cio|ciso|engineering|procurement|founder|team|staff|testers?|review))"
)
_TELLER = re.compile(rf"^(?:{_ROLE}|he|she|{_NAME}(?:,[^,]{{1,60}},)?)\s+{_SAYS}")
_OPINION = re.compile(rf"^{_NAME}(?:,[^,]{{1,60}},)?\s+(feel|think|believe)s\b")  # "you feel we…"
# What the customer asks, as "your question about…" / "your request for…".
_ASKS = (
    (r"(?:asks|asked|is asking|wants to know|wonders)\s+(?=whether|if|how|why|what|when)", "question about"),
    (r"(?:asks|asked|is asking)\s+for\s+", "request for"),
    (r"(?:asks|asked|wants|would like)\s+to\s+", "request to"),
    (r"(?:wants|would like)\s+(?=an?\s|the\s)", "request for"),
)
# Third person for the customer, in the second; but "they were sent" is about things, not people.
_THEY = _pairs("their:your theirs:yours they're:you're they've:you've they'll:you'll them:you")
_THEY_RE = re.compile(r"\b(?:their|theirs|they're|they've|they'll|them|they(?! (?:were|are) sent\b))\b", re.I)
_SHE = (
    (r"\b(?:he|she)'s(?= been\b| \w+ed\b)", "you've"),
    (r"\b(?:he|she)'s\b", "you're"),
    (r"\b(?:he|she)'(ll|d)\b", r"you'\1"),
    (r"\bhis\b", "your"),
    (r"\bher\b(?=\s+(?!(?:and|or|but|on|in|at|to|for|with|about|from|since|that|the|an?)\b)[a-z])", "your"),
    (r"\b(?:him|her)\b", "you"),
)
# A quote is the customer's own voice: their "our" is the reader's "your", and their "your" ours.
_QUOTES = "'\"‘’“”"
_VOICE = _pairs("our:your ours:yours your:our yours:ours we:you us:you we're:you're i:you my:your me:you")
_VERBS = _pairs("is:are was:were has:have does:do isn't:aren't wasn't:weren't hasn't:haven't doesn't:don't")
# What the lint rightly flags in a letter (an agentless "has been broken", "going forward"); what a letter
# need not repeat ("no rush"); and what the summary leaves bare once "Acme's" is gone ("Contract says").
_PLAIN: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    (r"\b(has|have) been broken\b", r"\1 not been working"),
    (r"\b(is|are) broken\b", r"\1 not working"),
    (r"\b(?:going|moving) forward\b", "from now on"),
    (r"^without\s+", "the missing "),  # "without per-user audit logs you won't renew"
    (r",\s*(?:no rush|no deadline|nice-to-have|nothing's broken)\b.*$", ""),
    (
        r"^(?:contract|whole|entire|office manager|field staff|accounts payable|ap team|admins?)\b",
        lambda m: f"your {_lower(m[0])}",
    ),
)
# Seed 000: a draft never names the threat, so the wording stops before it ("… and you'll leave").
_THREAT = re.compile(
    r",?\s*(?:\b(?:and|so)\s+)?(?:(?:says|said)\s+)?(?:that\s+)?\b(?:you|they)(?:'ll| will| won't| would)"
    r"\s+(?:leave|cancel|churn|move|switch|post|tell|go|renew|not renew)\b",
    re.I,
)
_WANTED = re.compile(r"\bunless we (?:ship|add|build|offer|support|deliver)\s+(.+)$", re.I)
# A remark about the note, not a problem ("Minor, they just mentioned it"): "" ("the issue you reported").
_REMARK = re.compile(
    r"(?:minor|small one|just an idea|nice[- ]to[- ]have|no rush|cosmetic)(?:,?\s+(?:from (?:their|your|the)"
    r" team|(?:they|you) just mentioned it|nothing'?s? (?:is )?broken|no deadline))?",
    re.I,
)
# Where a phrase ends: a sentence or a dash, always; when long, a clause ("…, and", "and he wants"),
# without a lead ("After last night's migration,"), before a word that opens a clause ("instead of").
_SENTENCE = re.compile(r";\s|\s[—–-]\s|\.\s")
_CLAUSE = re.compile(
    r",\s(?:and|so|but|which|although|yet)\s|\s(?:and|but)\s(?=(?:he|she|they|you|then|will)\b)"
)
_ADVERBIAL = re.compile(r"^(?:after|since|before|during|following|at|on|when)\s[^,]{1,40},\s", re.I)
_BREAKS = _words("instead because since when while although unless which who even until")
# A cut phrase does not end on a word that needs the next one ("… would ship by the").
_DANGLING = _words(
    "a an the to of for on in at by with from and or but so that which who your our their its his her is are"
    " was were be been has have had will would can could than as into over about since until before after"
    " while when if because although though yet unless per via each every some any no not only just all"
)
# Sentence openers that read lower-case inside a sentence ("the issue you raised: the export…").
_COMMON_OPENERS = _words(
    "the a an your our all some every most several many no any data users their this that these since after"
    " before roughly about at everything third"
)
_MOODS = tuple(
    (mood, re.compile(rf"\b(?:{words})\b", re.I))
    for mood, words in (
        (
            Mood.THREATENING,
            r"cancel\w*|churn\w*|(?:not|won't|will not|refuse to) renew|terminat\w+ (?:the|our|their)"
            r" contract|leav(?:e|ing) us|switch(?:ing)? to|move to a competitor|competitor|lawyers?|legal"
            r" action|sue|suing|go(?:ing)? public|post(?:ing)? (?:about (?:it|this|us) )?(?:publicly|on"
            r" (?:twitter|linkedin|x))|the press|reporters?|journalists?"
            # The CEO or the board brought in, not a "CEO dashboard" nor a project "board".
            r"|(?:to|our|your|their|the|my)\s+(?:ceo|board(?:\s+of\s+directors)?)\b(?!\s+(?:dashboard|report"
            r"|view|page|portal|config\w*|settings?|column|card))",
        ),
        (
            Mood.ANGRY,
            r"furious|angry|livid|outraged|irate|fed up|unacceptable|ridiculous|yell\w*|shout\w*|screaming"
            r"|frustrat\w+|enough is enough|had it",
        ),
        (
            Mood.DISAPPOINTED,
            r"disappoint\w*|let down|misled|expected better|lost (?:trust|confidence|faith)|again"
            r"|(?:second|third|fourth|fifth) time|still (?:broken|not fixed|waiting)|promised",
        ),
    )
)


def read_mood(text: str) -> Mood:
    """How the customer feels, as the words tell: threatening before angry before disappointed; calm when
    nothing says otherwise."""
    for mood, pattern in _MOODS:
        if pattern.search(text):
            return mood
    return Mood.CALM


def _you(match: re.Match[str]) -> str:
    """ "you" and the verb after it, agreeing: "is" → "are", "wants" → "want", "clicked" as it is."""
    verb = match.group(1)
    if verb.lower() in _VERBS:
        return f"you {_VERBS[verb.lower()]}"
    if re.fullmatch(r"[a-z]+(?:ch|sh|x|o)es", verb):
        return f"you {verb[:-2]}"
    return f"you {verb[:-1]}" if re.fullmatch(r"[a-z]+[^su']s", verb) else f"you {verb}"


def _lower(word: str) -> str:  # "Contract" as "contract"; "AP" and "SSO" as written
    return word[:1].lower() + word[1:] if word[1:2].islower() or len(word) == 1 else word


def _without_name(text: str, customer: str) -> str:
    """The account's name gone: its "says" with it, "Acme's" as "your", "for Acme" as "for you" (dropped
    where it dangles at a clause's end), Acme as a subject marked `_YOU`, anything else "your team"."""
    name = re.escape(re.sub(r"(?:'s|’s)$", "", customer.strip()))  # "Oberon Retail's", as guessed
    # Addresses stay as written ("ap@acme.io" is not "ap@your team.io"): set aside while names change.
    addresses: list[str] = []

    def aside(match: re.Match[str]) -> str:
        addresses.append(match[0])
        return f"\x00{len(addresses) - 1}\x00"

    text = _ADDRESS.sub(aside, text)
    for pattern, replacement in (
        (rf"^\s*{name}\s*(?:[:\-–—]\s*|,\s*)", ""),
        (rf"^\s*{name}\s+{_REPORTED}", ""),
        (rf"\b{name}(?:'s|’s|'|’)(?=\s)", "your"),  # "Parkside Cycles' shop staff" too
        (rf"\s+(?:at|from)\s+{name}\b", ""),
        (rf"\s+for\s+{name}(?=\s*(?:[;.!?…]|,\s+(?:and|but|so|which)\b|$))", ""),
        (rf"\b(for|by|to|with|asked|told|charged|billed|emailed|called)\s+{name}\b", r"\1 you"),
        (rf"(^|,\s)\s*{name}\s+(?=[a-z])", rf"\1{_YOU} "),
        (rf"\b{name}\b", "your team"),
    ):
        text = re.sub(pattern, replacement, text, flags=re.I)
    return re.sub(r"\x00(\d+)\x00", lambda match: addresses[int(match[1])], text)


def _without_teller(text: str) -> str:
    """The phrase without who told it; a person's "she" and "him" as "you", their question as yours."""
    for verb, replacement in _ASKS:
        text = re.sub(rf"^(?:{_YOU}|{_ROLE}|{_NAME})\s+{verb}", f"your {replacement} ", text, flags=re.I)
    text = re.sub(rf"{_YOU}\s+(\S+)", _you, text)
    if re.match(r"an?\s", text, re.I):  # "a contractor says he could see": a third party, kept one
        return re.sub(rf"^(an?\s+\S+)\s+{_SAYS}(?:he|she|they)\s+", r"\1 ", text, flags=re.I)
    told = _TELLER.sub("", _OPINION.sub(r"you \1", text, count=1), count=1)
    if told != text:
        told = re.sub(r"\b(?:he|she)\s+(\S+)", _you, told)
        for pattern, replacement in _SHE:
            told = re.sub(pattern, replacement, told)
    return told


def _cut(text: str) -> str:
    """At most WORDING_WORDS words: the first sentence; when long, its first clause without a leading
    "After …,", the commas' parts that fit, else the words that fit, ending before a word that opens a
    clause and never on one that needs the next ("… would ship by the")."""
    truncated = text.endswith("…")  # the summary was cut mid-sentence: its last part is a fragment
    text = whole = text.rstrip(" …")
    first = _SENTENCE.split(text, maxsplit=1)[0]
    text = first if len(first.split()) >= 3 else text
    if len(text.split()) > WORDING_WORDS:
        text = _ADVERBIAL.sub("", _CLAUSE.split(text, maxsplit=1)[0], count=1)
    parts = text.split(": ", 1) if ": " in text else text.rsplit(", ", 1)
    if truncated and len(parts) > 1 and len(parts[0].split()) >= 5:
        text = parts[0]  # "… is just gone: drawings, comments, revision…" ends before the list
    if len(text.split()) > WORDING_WORDS:
        parts, kept = text.split(", "), []
        while parts and len(", ".join([*kept, parts[0]]).split()) <= WORDING_WORDS:
            kept.append(parts.pop(0))
        text = ", ".join(kept) if len(" ".join(kept).split()) >= 5 else text
    words = text.split()
    cut = len(words) > WORDING_WORDS or (truncated and text == whole)  # else it ends where a clause does
    if len(words) > WORDING_WORDS:
        words = words[:WORDING_WORDS]
        ends = [i for i, word in enumerate(words) if word in ("and", "but", "or") and i >= len(words) - 4]
        ends += [i for i, word in enumerate(words) if word.lower() in _BREAKS and i >= 6]
        words = words[: min(ends)] if ends else words
    while (
        cut and len(words) > 1 and words[-1].lower().strip(",;:") in _DANGLING and words[-2:] != ["now", "on"]
    ):
        words.pop()
    return " ".join(words)


# What never goes into a letter: Slack's markup, addresses, a note the team wrote for itself, and how
# the customer feels or what they called us (the draft meets the feeling; it does not quote it back).
_MARKUP = re.compile(r"<[^<>\n]{0,300}>")
_ADDRESS = re.compile(r"\S+@\S+\.\w+|https?://\S+")
# "Kestrel's COO is furious that our VP cancelled…": what they are upset about is the problem.
_UPSET_THAT = re.compile(
    r"^.{0,80}?\b(?:is|are|'re|feels?|got)\s+(?:very\s+|really\s+|so\s+)?(?:furious|angry|livid|upset"
    r"|frustrated|annoyed)\s+(?:that|about|because)\s+",
    re.I,
)
_INTERNAL = re.compile(
    r"(?:^|[;,.(\[]\s*|\s[—–-]\s|\s)(?:internal(?:ly)?|note to self|fyi|between us|off the record|"
    r"do not share|don't share|not for the customer)\b.*$",
    re.I,
)
_UNSENDABLE = re.compile(
    r"\b(?:(?:is|are|'re|am|feels?|seems?|sounds?|got|gets|getting)\s+(?:very\s+|really\s+|so\s+|extremely\s+"
    r"|quite\s+)?(?:furious|angry|livid|upset|fed up|frustrated|annoyed|irate|mad)\b|useless|incompetent"
    r"|screwed|a joke|pathetic|clowns?|idiots?|garbage|rubbish)",
    re.I,
)


def without_markup(text: str) -> str:
    """`text` without Slack's `<…>` markup (mentions, `<!here>`, links), spacing collapsed."""
    return " ".join(_MARKUP.sub(" ", text).split())


def _sendable(text: str) -> str:
    """`text` without the team's own notes and without the clauses of feeling or insult."""
    parts = re.split(r"(;\s*|,\s+|\s+(?:and|but)\s+)", _UPSET_THAT.sub("", _INTERNAL.sub("", text), count=1))
    kept: list[str] = []
    for index in range(0, len(parts), 2):
        if not _UNSENDABLE.search(parts[index]):
            kept += ([parts[index - 1]] if kept and index else []) + [parts[index]]
    return "".join(kept).strip(" ,;")


def in_customer_words(summary: str, customer: str | None) -> str:
    """The summary as a phrase a letter to the customer can hold: who passed it on and who said it gone,
    the customer as "you" and "your", no threat, at most WORDING_WORDS words, no full stop; "" when the
    summary is only a remark ("Minor, they just mentioned it")."""
    text = _sendable(without_markup(summary))
    text = re.sub(r"^(?:says|said|reports|reported|writes|wrote)\s+(?:that\s+)?", "", text, flags=re.I)
    text = _LEAD.sub("", _RELAY.sub("", text, count=1), count=1)
    quoted = text[:1] in _QUOTES
    if quoted:  # the customer's own words: swap the voice; their "they" is not them
        text = re.sub(r"[\w']+", lambda m: _VOICE.get(m[0].lower(), m[0]), text.strip(_QUOTES + " ."))
    if customer and customer.strip():
        text = _without_name(text, customer)
    text = _without_teller(re.sub(rf"^\s*(?:the\s+)?customer\s+{_REPORTED}", "", text, flags=re.I))
    if not quoted:
        text = _THEY_RE.sub(lambda match: _THEY.get(match[0].lower(), "you"), text)
    for pattern, replacement in _PLAIN:
        text = re.sub(pattern, replacement, text, flags=re.I)
    threat = _THREAT.search(text)
    if threat and len(text[: threat.start()].split()) >= 3:
        text = text[: threat.start()]
    elif threat and (wanted := _WANTED.search(text)):
        text = wanted[1]  # "you'll move … unless we ship X": X is what they need
    text = text.replace(_YOU, "you").strip(" .;:,!?")
    if _REMARK.fullmatch(text):
        return ""
    phrase = _cut(text).strip(" .;:,!?")
    first_word = phrase.split(" ", 1)[0]
    if first_word.lower() in _COMMON_OPENERS:
        phrase = _lower(first_word) + phrase[len(first_word) :]
    return phrase[:WORDING_MAX]
