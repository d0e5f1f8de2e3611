"""War-room channel names that Slack accepts: lowercase, `[a-z0-9_-]`, at most 80 characters."""

from __future__ import annotations

import re
import unicodedata

from blocks.limits import CHANNEL_NAME

_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")
CUSTOMER_PART_MAX = 24
TITLE_PART_MAX = 32  # long enough to tell rooms apart in the sidebar, short enough to read
SUFFIX_RESERVE = 4  # room for "-2" .. "-999" when the name is taken


def slugify(text: str, max_length: int) -> str:
    """`Café Müller & Co.` → `cafe-muller-co`, cut at a hyphen so no word is chopped when avoidable."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_ALLOWED.sub("-", folded).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[:max_length]
    if "-" in cut and slug[max_length] != "-":
        cut = cut.rsplit("-", 1)[0]
    return cut.strip("-")


def war_room_name(
    public_id: str, customer: str, title: str, *, prefix: str = "esc", max_length: int = CHANNEL_NAME
) -> str:
    """`esc-2026-007-acme-corp-sso-login-loop` for ESC-2026-007, always valid and within `max_length`."""
    limit = min(max_length, CHANNEL_NAME) - SUFFIX_RESERVE
    id_part = public_id.lower().removeprefix("esc-")
    base = "-".join(part for part in (slugify(prefix, 10), id_part) if part)
    customer_part = slugify(customer, min(CUSTOMER_PART_MAX, max(limit - len(base) - 1, 0)))
    name = "-".join(part for part in (base, customer_part) if part)
    room_left = min(limit - len(name) - 1, TITLE_PART_MAX)
    title_part = slugify(title, room_left) if room_left > 2 else ""
    return "-".join(part for part in (name, title_part) if part)[:limit].strip("-")


def with_suffix(name: str, attempt: int) -> str:
    """The name to try after `attempt` failures with `name_taken`: `name`, `name-2`, `name-3`..."""
    if attempt <= 1:
        return name
    suffix = f"-{attempt}"
    return name[: CHANNEL_NAME - len(suffix)].rstrip("-") + suffix
