"""The Draft every drafter hands back (seed template, Claude or a restyle): text for a person to send."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Draft:
    """A draft for a person to review, edit and send; the bot never sends it."""

    kind: str
    subject: str | None
    body: str
    coaching: str | None = None
    options: tuple[str, ...] = ()
    recommendation: str | None = None
    source: str = "template"
