"""Are two escalation summaries the same issue? Pure: words in, a 0-100 score out.

A summary is reduced to the words that say what is wrong (`issue_words`): folded and split by rapidfuzz's
own processor, the customer's name and the words every report has ("Update from", "Inc", "users",
"since this morning", "after the update") removed, the few spellings support writes for one thing made
one word ("log in", "sign-in" → login; "2FA", "two-factor" → mfa; "down", "broken", "errors" → fail).

Two summaries are then compared as sorted word lists with rapidfuzz (`similarity`), after a word of one is
aligned with the other's when they only differ by an ending (exports/export, delivered/deliveries, by
rapidfuzz's common-prefix measure). The score is rapidfuzz's Indel ratio over those words: 2 × shared ÷
(both lengths), so the policy's 80 means four words in five are the same. A shorter summary of three or
more words, two of them specific, that is mostly contained in a longer one scores by how much of it is
("SSO login loop" against "Users stuck in a redirect loop when signing in with SSO"). A summary of only
generic words ("Broken", "Down", "Not working") says nothing about which issue it is, and matches nothing.

`tests/similarity_pairs.yaml` holds the labelled pairs the choices were checked against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import LCSseq, Prefix

# A summary longer than this is a pasted message: its start is what it is about.
READ_LIMIT = 600
# Two words are one when they share a prefix of at least 4 letters that is most of the longer word.
SAME_STEM_LETTERS = 4
SAME_STEM_SHARE = 0.55
# Containment counts only for a shorter summary with enough words, enough of them specific.
CONTAINED_MIN_WORDS = 3
CONTAINED_MIN_SPECIFIC = 2


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Legal forms and industry words that follow a company's name ("Stark Industries" is "Stark").
LEGAL_FORMS = _words(
    "inc incorporated corp corporation co company ltd limited llc plc gmbh ag sa bv nv pty sarl srl"
)
INDUSTRY_WORDS = _words(
    "industries enterprises analytics logistics group holdings labs technologies software systems "
    "solutions services partners international global consulting"
)
# Words that say nothing about which issue it is: function words, when it started, who reported it.
FILLER = _words(
    """a an the and or but of for to in on at by with from via into onto as over under than is are was were
    be been being am it its this that these those there here has have had do does did doing done not no
    never any some so very really just again still anymore now yet also too since after before during when
    while until today yesterday tonight morning afternoon evening night week weekend monday tuesday
    wednesday thursday friday saturday sunday hour hours minute minutes day days customer customers client
    clients account accounts tenant org organisation organization team users user people staff employees
    everyone everybody all every their our we they them he she his her you your says said seeing sees
    getting gets got keep keeps kept experiencing having can cant cannot unable please need needs needed
    urgently show shows showing shown give gives giving"""
)
# Ways of saying "it fails" and "it is slow": one word each, so "down" and "broken" compare equal.
FAILING = _words("broken broke down fail fails failed failing failure failures error errors outage")
SLOW = _words("slow slowly sluggish laggy lagging")
# Words that, alone, do not say which issue it is: a summary needs at least one other word.
GENERIC = _words("fail slow wrong issue issues problem problems bug bugs help urgent asap critical question")
# Spellings of one thing, made one word before the summary is split into words.
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), word)
    for pattern, word in (
        (r"\b(?:update|email|message|ticket|call|note) from\b", " "),
        # When it started is not what it is: "after the update" goes the way of "since this morning".
        (
            r"\b(?:after|since|following) (?:(?:the|a|an|our|their|last|latest|recent|new|this) )*"
            r"(?:update|upgrade|release|deploy|deployment|rollout|patch|maintenance)\b",
            " ",
        ),
        (r"\b(?:two|2|multi) ?factor(?: auth(?:entication)?)?\b|\b2fa\b|\bmfa\b", " mfa "),
        (r"\bsingle sign ?on\b", " sso "),
        (r"\b(?:log|logs|logging|logged|sign|signs|signing|signed) ?(?:in|on)\b|\blogins?\b", " login "),
        (r"\be ?mails?\b", " email "),
        (r"\b(?:time|times|timing|timed) ?outs?\b|\btimeouts?\b", " timeout "),
        (r"\b(?:not|isnt|arent|doesnt|dont|wont|no longer) work(?:ing|s)?\b", " fail "),
        (r"\bstopped working\b", " stopped "),
        (r"\b(?:lost|loses|losing|lose)\b", " loss "),
    )
)
_POSSESSIVE = re.compile(r"['’]s\b")
_APOSTROPHE = re.compile(r"['’]")
_NUMBER_UNIT = re.compile(r"(\d)([^\W\d_])")  # "10mb" → "10 mb"


def issue_words(summary: str, customer: str = "") -> tuple[str, ...]:
    """The words of `summary` that say what the issue is, sorted, each once, with the customer's name
    (`customer`) and the words every report has left out."""
    text = f" {_folded(summary[:READ_LIMIT])} "
    name = _folded(customer[:READ_LIMIT]).split()
    core = [word for word in name if word not in LEGAL_FORMS and word not in INDUSTRY_WORDS]
    for phrase in sorted({" ".join(name), " ".join(core)} - {""}, key=len, reverse=True):
        text = text.replace(f" {phrase} ", " ")
    for pattern, word in PHRASES:
        text = pattern.sub(word, text)
    text = _NUMBER_UNIT.sub(r"\1 \2", text)
    words = set()
    for word in text.split():
        if word in FILLER or word in LEGAL_FORMS or (word in core and len(word) >= 3):
            continue
        if len(word) < 2 and not word.isdigit():
            continue
        words.add("fail" if word in FAILING else "slow" if word in SLOW else word)
    return tuple(sorted(words))


def similarity(a: Sequence[str], b: Sequence[str]) -> int:
    """How alike two summaries' `issue_words` are, 0-100 (100: the same words)."""
    if not _specific(a) or not _specific(b):
        return 0
    b = sorted({_aligned(word, a) for word in b})
    shared = LCSseq.similarity(a, b)  # both are sorted and unique: the common subsequence is the overlap
    score = fuzz.ratio(a, b)
    common = set(a).intersection(b)
    if shared >= CONTAINED_MIN_WORDS and len(_specific(common)) >= CONTAINED_MIN_SPECIFIC:
        score = max(score, 100 * shared / min(len(a), len(b)))
    return round(score)


def summary_similarity(a: str, a_customer: str, b: str, b_customer: str) -> int:
    """`similarity` of two summaries, each without its own customer's name."""
    return similarity(issue_words(a, a_customer), issue_words(b, b_customer))


def _folded(text: str) -> str:
    # "Acme's" is Acme; "can't" is one word, cant (a filler), not "can" and "t".
    text = unicodedata.normalize("NFKC", text)
    return utils.default_process(_APOSTROPHE.sub("", _POSSESSIVE.sub("", text)))


def _specific(words: Sequence[str] | set[str]) -> list[str]:
    return [word for word in words if word not in GENERIC]


def _aligned(word: str, vocabulary: Sequence[str]) -> str:
    """`word`, or the word of `vocabulary` it only differs from by an ending (the closest one)."""
    if word in vocabulary or len(word) < SAME_STEM_LETTERS:
        return word
    best = process.extractOne(
        word, vocabulary, scorer=Prefix.normalized_similarity, score_cutoff=SAME_STEM_SHARE
    )
    if best is not None and Prefix.similarity(word, best[0]) >= SAME_STEM_LETTERS:
        return str(best[0])
    return word
