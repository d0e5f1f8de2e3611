"""Time zones as people read them: the IANA name checked against the list (never loaded from text), the
name a customer knows ("Berlin time"), and the zones the intake form offers."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

# The zones the intake form lists (a Slack select holds 100 options); a directory contact's zone is
# added when it is not among them.
COMMON_ZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/New_York",
    "America/Toronto",
    "America/Vancouver",
    "America/Halifax",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Pacific/Honolulu",
    "America/Anchorage",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Helsinki",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Vienna",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Kyiv",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Africa/Cairo",
    "Asia/Dubai",
    "Asia/Riyadh",
    "Asia/Jerusalem",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Manila",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Auckland",
)


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in zoneinfo.available_timezones()} | {"utc": "UTC"}


def known_zone(name: str | None) -> str | None:
    """The IANA zone spelled `name` (case folded), or None: looked up in the list of zones rather than
    loaded, so no text such as '../x' ever reaches the file system."""
    return _zones_by_folded_name().get((name or "").strip().casefold()) if name else None


def zone_city(zone: str) -> str:
    """ "Berlin" for Europe/Berlin, "Buenos Aires" for America/Argentina/Buenos_Aires, "UTC" for UTC."""
    if zone.upper() in ("UTC", "ETC/UTC", "GMT", "ETC/GMT"):
        return "UTC"
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def zone_name(zone: str, at: datetime) -> str:
    """How a customer reads the zone: "UTC", "Berlin time"; an `Etc/…` zone by its offset name."""
    if zone_city(zone) == "UTC":
        return "UTC"
    if zone.startswith("Etc/"):
        return at.astimezone(ZoneInfo(zone)).tzname() or zone
    return f"{zone_city(zone)} time"


def zone_options(extra: str | None = None) -> dict[str, str]:
    """The intake form's zone choices, value → "Berlin · Europe/Berlin", with `extra` first when it is not
    among the common ones."""
    zones = ([extra] if extra and extra not in COMMON_ZONES else []) + list(COMMON_ZONES)
    return {zone: zone if zone == "UTC" else f"{zone_city(zone)} · {zone}" for zone in zones}
