""" "Shorter" and "More formal" for template drafts, where no model can rewrite them (pure)."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.drafting.draft import Draft

_CONTRACTIONS = {
    "i'm": "I am",
    "i'll": "I will",
    "i've": "I have",
    "i'd": "I would",
    "we're": "we are",
    "we'll": "we will",
    "we've": "we have",
    "we'd": "we would",
    "you're": "you are",
    "you'll": "you will",
    "you've": "you have",
    "it's": "it is",
    "that's": "that is",
    "there's": "there is",
    "here's": "here is",
    "what's": "what is",
    "don't": "do not",
    "doesn't": "does not",
    "didn't": "did not",
    "can't": "cannot",
    "won't": "will not",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "weren't": "were not",
    "haven't": "have not",
    "hasn't": "has not",
    "shouldn't": "should not",
    "wouldn't": "would not",
    "couldn't": "could not",
    "let's": "let us",
}
_CONTRACTION = re.compile(r"\b(" + "|".join(re.escape(c) for c in _CONTRACTIONS) + r")\b", re.I)
# Paragraphs that carry a commitment, the next update or a placeholder are kept when shortening.
_ESSENTIAL = re.compile(
    r"\b(?:update|owner|ownership|personally|sorry|responsib\w*|call|direct|confirm)\b|\[", re.I
)


def more_formal(draft: Draft) -> Draft:
    """No contractions, and a formal greeting."""

    def expand(match: re.Match[str]) -> str:
        word = match.group(1)
        full = _CONTRACTIONS[word.lower().replace("’", "'")]
        return full[0].upper() + full[1:] if word[0].isupper() else full

    body = _CONTRACTION.sub(expand, draft.body.replace("’", "'"))
    body = re.sub(r"^(Hi|Hello|Hey) ", "Dear ", body, flags=re.M)
    return replace(draft, body=body)


def shorter(draft: Draft) -> Draft:
    """The greeting, the first paragraph, and every paragraph with a commitment; coaching and options kept."""
    paragraphs = [p for p in draft.body.split("\n\n") if p.strip()]
    if len(paragraphs) <= 3:
        return draft
    kept = [paragraphs[0], paragraphs[1]]
    kept += [p for p in paragraphs[2:-1] if _ESSENTIAL.search(p)]
    kept.append(paragraphs[-1])
    return replace(draft, body="\n\n".join(kept))


RESTYLERS = {"formal": more_formal, "shorter": shorter}
