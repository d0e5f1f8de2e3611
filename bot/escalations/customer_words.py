"""What the intake form prefills for the customer's side of the record (pure): the problem in the
customer's words, and how the customer feels.

The summary is the team's note ("Brookvale Unified says the gradebook sync has been deleting grades in
14 schools"); a letter to Brookvale says "the gradebook sync has been deleting grades in 14 schools".
The rules only do what they can tell: drop the customer's name and a "says"/"reports" after it, turn
"their" into "your", and keep it short. A person edits it on the form; Claude writes it when configured.
"""

from __future__ import annotations

import re

from bot.core.vocabulary import Mood

WORDING_MAX = 300  # characters, the column's size
WORDING_WORDS = 15  # a phrase inside a sentence, not a paragraph
# "Ticket note from Ravi:", "Email from Dana:", "Per the CSM:": who passed it on, not the problem.
_RELAY = re.compile(
    r"^\s*(?:(?:ticket|support|internal)\s+)?(?:note|email|message|call|ticket|update|per|via)\b[^:]{0,40}:\s*",
    re.I,
)
_REPORTED = (
    r"(?:says|said|reports|reported|report|tells us|told us|complains|complained|writes|wrote|mentions"
    r"|mentioned|is seeing|are seeing|sees|see|noticed|notices|found)(?:\s+that)?\s+"
)
# Third-person words for the customer, in the second person.
_PRONOUNS = (
    (r"\btheir\b", "your"),
    (r"\btheirs\b", "yours"),
    (r"\bthey're\b", "you're"),
    (r"\bthey've\b", "you've"),
    (r"\bthey'll\b", "you'll"),
    (r"\bthey\b", "you"),
    (r"\bthemselves\b", "yourselves"),
    (r"\bthem\b", "you"),
)
# Sentence openers that read lower-case inside a sentence ("the issue you raised: the export…").
_COMMON_OPENERS = frozenset(
    {
        *("the", "a", "an", "your", "our", "all", "some", "every", "most", "several", "many", "no", "any"),
        *("data", "users", "their", "this", "that", "these"),
    }
)
_MOODS: tuple[tuple[Mood, re.Pattern[str]], ...] = (
    (
        Mood.THREATENING,
        re.compile(
            r"\b(?:cancel\w*|churn\w*|(?:not|won't|will not|refuse to) renew|terminat\w+ (?:the|our|their)"
            r" contract|leav(?:e|ing) us|switch(?:ing)? to|move to a competitor|competitor|lawyers?|legal "
            r"action|sue|suing|go(?:ing)? public|post(?:ing)? (?:about (?:it|this|us) )?(?:publicly|on "
            r"(?:twitter|linkedin|x))|the press|reporters?|journalists?|ceo|the board)\b",
            re.I,
        ),
    ),
    (
        Mood.ANGRY,
        re.compile(
            r"\b(?:furious|angry|livid|outraged|irate|fed up|unacceptable|ridiculous|yell\w*|shout\w*"
            r"|screaming|frustrat\w+|enough is enough|had it)\b",
            re.I,
        ),
    ),
    (
        Mood.DISAPPOINTED,
        re.compile(
            r"\b(?:disappoint\w*|let down|misled|expected better|lost (?:trust|confidence|faith)|again|"
            r"(?:second|third|fourth|fifth) time|still (?:broken|not fixed|waiting)|promised)\b",
            re.I,
        ),
    ),
)


def read_mood(text: str) -> Mood:
    """How the customer feels, as the words tell: threatening before angry before disappointed; calm when
    nothing says otherwise."""
    for mood, pattern in _MOODS:
        if pattern.search(text):
            return mood
    return Mood.CALM


def in_customer_words(summary: str, customer: str | None) -> str:
    """The summary as a phrase a letter to the customer can hold: their name and its "says" gone, "their"
    as "your", the first clause only when it runs long, at most WORDING_WORDS words, no full stop."""
    text = " ".join(summary.split())
    text = _RELAY.sub("", text, count=1)
    if customer:
        name = re.escape(customer.strip())
        text = re.sub(rf"^\s*{name}\s*(?:[:\-–—]\s*|,\s*)", "", text, flags=re.I)
        text = re.sub(rf"^\s*{name}\s+{_REPORTED}", "", text, flags=re.I)
        text = re.sub(rf"\b{name}(?:'s|’s)\s+", "your ", text, flags=re.I)
        text = re.sub(rf"\s+(?:at|from)\s+{name}\b", "", text, flags=re.I)
        text = re.sub(rf"\b(for|by|to|with)\s+{name}\b", r"\1 you", text, flags=re.I)
        text = re.sub(rf"\b{name}\b", "your team", text, flags=re.I)
    text = re.sub(rf"^\s*(?:the\s+)?customer\s+{_REPORTED}", "", text, flags=re.I)
    for pattern, replacement in _PRONOUNS:
        text = re.sub(pattern, replacement, text, flags=re.I)
    words = text.split()
    if len(words) > WORDING_WORDS:
        first = re.split(r";|\s[—–-]\s|,\s(?:and|so|but|which)\s|\.\s", text, maxsplit=1)[0]
        words = first.split()[:WORDING_WORDS]
    phrase = " ".join(words).strip(" .;:,!?")
    first_word = phrase.split(" ", 1)[0] if phrase else ""
    if first_word.lower() in _COMMON_OPENERS and first_word[:1].isupper() and first_word[1:].islower():
        phrase = phrase[:1].lower() + phrase[1:]
    return phrase[:WORDING_MAX]
