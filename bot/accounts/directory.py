"""The account directory file: reading and validating the customer list a support team imports.

Pure: text in, validated `DirectoryEntry`s out, or one `DirectoryError` listing every problem with its row
(CSV) or item (YAML) and field, so a person fixes the file in one pass. `bot.accounts.service` saves them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bot.core.text import clean
from bot.core.vocabulary import Tier
from bot.core.zones import known_zone
from bot.escalations.intake import EMAIL, EMAIL_MAX, parse_amount

Format = Literal["csv", "yaml"]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ACCOUNTS = 50_000
NAME_MAX = TEXT_MAX = 120
MAX_ALIASES = MAX_CONTACTS = 50
KEY_MAX = 255  # customer_aliases.alias_key and customers.name_key

_CONTACT_COLUMNS = {"contact_name": "name", "contact_email": "email", "contact_timezone": "timezone"}
CSV_COLUMNS = ("name", "aliases", "tier", "arr", "csm", *_CONTACT_COLUMNS, "slack_connect_channel")

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: 5 MB parse in a moment
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_LINK = re.compile(r"^<#([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,31}$")


def account_key(name: str) -> str:
    """The matching key of an account name: 'ACME, Corp.', 'acme corp' and 'Acme-Corp' are all 'acme corp'.

    Case, punctuation and spacing are folded (NFKC + casefold, so full-width and ligature forms match too);
    letters, marks and digits of every script stay, as words separated by one space; `&` reads "and".
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    folded = folded.replace("&", " and ")
    if folded.isascii():  # most names: a regex instead of a look-up per character
        return " ".join(_ASCII_WORD.findall(folded))
    return " ".join("".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in folded).split())


class DirectoryError(Exception):
    """A directory that cannot be imported; `problems` has one plain sentence per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


def _quote(value: object) -> str:
    text = str(value)
    return f"'{text[:57]}…'" if len(text) > 60 else f"'{text}'"


def _text(value: Any, limit: int = TEXT_MAX) -> str | None:
    """Cleaned, single-spaced text, None when blank; numbers read as text (YAML reads `name: 1999` as one)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"should be text, not {type(value).__name__}")
    text = " ".join(clean(str(value), limit * 4).split())
    if len(text) > limit:
        raise ValueError(f"is {len(text)} characters long; at most {limit}")
    return text or None


def _name(value: Any) -> str:
    text = _text(value, NAME_MAX)
    if text is None:
        raise ValueError("is empty; a name is needed")
    key = account_key(text)
    if not key:
        raise ValueError(f"{_quote(text)} has no letters or digits")
    if len(key) > KEY_MAX or len(text.casefold()) > KEY_MAX:
        raise ValueError(f"{_quote(text)} is too long once its characters are written out")
    return text


def _email(value: Any) -> str | None:
    text = _text(value, EMAIL_MAX)
    if text is not None and not EMAIL.match(text):
        raise ValueError(f"{_quote(text)} is not an email address")
    return text


def _zone(value: Any) -> str | None:
    """The IANA zone spelled `value`, case folded ('europe/berlin' is Europe/Berlin)."""
    text = _text(value, 64)
    zone = known_zone(text)
    if text and zone is None:
        raise ValueError(f"{_quote(text)} is not an IANA time zone like Europe/Berlin or America/New_York")
    return zone


def _tier(value: Any) -> Tier | None:
    tier = Tier.parse(value) if isinstance(value, str) else None
    if tier is None and _text(value) is not None:
        raise ValueError(f"{_quote(value)} is not a tier; use enterprise, business or starter")
    return Tier(tier) if tier else None


def _amount(value: Any) -> int | None:
    text = _text(value, 40)
    try:
        return None if text is None else parse_amount(text)  # at most ARR_MAX; never negative
    except (ValueError, ArithmeticError):
        raise ValueError(f"{_quote(text)} is not an amount like 180000 or $180k") from None


def _csm(value: Any) -> str | None:
    text = _text(value)
    mention = _MENTION.match(text or "")
    return mention.group(1) if mention else text  # a pasted <@U0123ABC> is the user id


def _channel(value: Any) -> str | None:
    text = _text(value, 200)
    link = _CHANNEL_LINK.match(text or "")  # a pasted <#C0123ABCD|name>
    channel = (link.group(1) if link else text or "").upper()
    if text is not None and not _CHANNEL_ID.match(channel):
        raise ValueError(f"{_quote(text)} is not a channel id like C0123ABCD (the channel's details show it)")
    return channel or None


def _aliases(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, str | list | tuple):
        raise ValueError("should be a list of names, or names separated by ; or |")
    items = re.split(r"[;|]", value) if isinstance(value, str) else value
    aliases = tuple(dict.fromkeys(_name(item) for item in items if _text(item, NAME_MAX) is not None))
    if len(aliases) > MAX_ALIASES:
        raise ValueError(f"has {len(aliases)} aliases; at most {MAX_ALIASES}")
    return aliases


class Contact(BaseModel):
    """A person at the customer to talk to, with the time zone their updates are timed for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, BeforeValidator(_name)]
    email: Annotated[str | None, BeforeValidator(_email)] = None
    timezone: Annotated[str | None, BeforeValidator(_zone)] = None


class DirectoryEntry(BaseModel):
    """One account of the directory. Only the fields a file gives are in `model_fields_set`: an import
    changes those and leaves the others of a known account as they were (a file without an ARR column
    keeps every account's ARR; an empty ARR cell clears it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, BeforeValidator(_name)]
    aliases: Annotated[tuple[str, ...], BeforeValidator(_aliases)] = ()
    tier: Annotated[Tier | None, BeforeValidator(_tier)] = None
    arr: Annotated[int | None, BeforeValidator(_amount)] = None
    csm: Annotated[str | None, BeforeValidator(_csm)] = None
    contacts: Annotated[tuple[Contact, ...], Field(max_length=MAX_CONTACTS)] = ()
    slack_connect_channel: Annotated[str | None, BeforeValidator(_channel)] = None

    @cached_property
    def key(self) -> str:
        """`account_key` of the name."""
        return account_key(self.name)

    @cached_property
    def keys(self) -> dict[str, str]:
        """Its names by account key: its name, then its aliases (one spelling of each name)."""
        keys = {self.key: self.name}
        for alias in self.aliases:
            keys.setdefault(account_key(alias), alias)
        return keys


def _problems(where: str, exc: ValidationError, columns: dict[str, str] | None = None) -> list[str]:
    """One sentence per pydantic error: "row 4, arr: '12 apples' is not an amount like …"."""
    problems = []
    for error in exc.errors():
        parts: list[str] = []
        for part in error["loc"]:
            if isinstance(part, int) and parts:
                parts[-1] = f"{parts[-1].removesuffix('s')} {part + 1}"  # ("contacts", 0) reads "contact 1"
            else:
                parts.append((columns or {}).get(str(part), str(part)))
        kind, what = error["type"], error["msg"][:1].lower() + error["msg"][1:]
        if kind == "value_error":
            what = str(error["ctx"]["error"])
        elif kind == "missing":
            what = "is missing"
        elif kind == "extra_forbidden":
            known = Contact.model_fields if len(parts) > 1 else DirectoryEntry.model_fields
            what = f"is not a field I know; use {', '.join(known)}"
        elif kind in ("model_type", "dict_type"):
            what = "should be a mapping such as {name: Ana Ruiz, email: ana@example.com, timezone: UTC}"
        elif kind in ("tuple_type", "list_type"):
            what = "should be a list"
        problems.append(f"{where}, {' '.join(parts) or 'entry'}: {what}")
    return problems


def check_entries(entries: Sequence[DirectoryEntry], labels: Sequence[str] | None = None) -> list[str]:
    """What stops `entries` from being one directory: too many, or a name claimed by two accounts (as
    name or alias). `labels` say where each entry came from ("row 4")."""
    names = labels or [_quote(entry.name) for entry in entries]
    problems = [f"{len(entries):,} accounts; at most {MAX_ACCOUNTS:,}"] if len(entries) > MAX_ACCOUNTS else []
    # Names claim their keys before aliases do, so a clash is reported on the alias, wherever it is.
    claims = [(index, entry.key, None) for index, entry in enumerate(entries)]
    claims += [(index, account_key(a), a) for index, entry in enumerate(entries) for a in entry.aliases]
    claimed: dict[str, tuple[int, str | None]] = {}  # account key -> (entry, the alias, or None: its name)
    for index, key, alias in claims:
        owner, owner_alias = claimed.setdefault(key, (index, alias))
        if owner != index:
            field_name, spelled = ("name", entries[index].name) if alias is None else ("aliases", alias)
            what = "the name" if owner_alias is None else "an alias"
            problems.append(
                f"{names[index]}, {field_name}: {_quote(spelled)} is also {what} of {names[owner]} "
                f"({_quote(entries[owner].name)})"
            )
    return problems


def read_directory(path: str | Path) -> list[DirectoryEntry]:
    """The accounts of the CSV or YAML file at `path`; `DirectoryError` lists every problem."""
    path = Path(path)
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            raise DirectoryError([f"the file is {size / 1024 / 1024:.1f} MB; at most 5 MB"])
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DirectoryError(["file not found"]) from None
    except UnicodeDecodeError:
        raise DirectoryError(["the file is not UTF-8 text; save it as UTF-8 (Excel: CSV UTF-8)"]) from None
    except OSError as exc:
        raise DirectoryError([f"cannot read the file: {exc.strerror or exc}"]) from None
    return parse_directory(text, detect_format(path.name, text))


def detect_format(filename: str, text: str) -> Format:
    """By extension (.csv, .yaml, .yml); otherwise CSV when the first line names a `name` column."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".csv", ".yaml", ".yml"):
        return "csv" if suffix == ".csv" else "yaml"
    lines = (line.strip() for line in text.lstrip("\ufeff").splitlines())
    first = next((line for line in lines if line and not line.startswith("#")), "")
    if first.startswith(("-", "[", "{")):
        return "yaml"
    return "csv" if "name" in map(_column, next(csv.reader([first]), [])) else "yaml"


def parse_directory(text: str, fmt: Format) -> list[DirectoryEntry]:
    """The accounts of a directory file's text; `DirectoryError` lists every problem."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise DirectoryError(["the file is larger than 5 MB"])
    text = clean(text.lstrip("\ufeff"), MAX_FILE_BYTES)
    entries, labels, problems = _parse_csv(text) if fmt == "csv" else _parse_yaml(text)
    problems += check_entries(entries, labels)
    if not entries and not problems:
        problems.append("the file lists no accounts")
    if problems:
        raise DirectoryError(problems)
    return entries


def _column(header: str) -> str:
    """'Contact Email' and 'contact-email' are the column contact_email."""
    return "_".join(header.strip().lower().replace("-", " ").split())


@dataclass
class _CsvAccount:
    """An account read from its rows: where it starts, its first row, and what later rows add."""

    row: int
    entry: DirectoryEntry
    aliases: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


Parsed = tuple[list[DirectoryEntry], list[str], list[str]]  # entries, where each came from, problems


def _parse_csv(text: str) -> Parsed:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    columns = [_column(cell) for cell in header]
    unknown = [cell for cell, column in zip(header, columns, strict=True) if column not in CSV_COLUMNS]
    problems = [f"unknown column {_quote(c)}; the columns are {', '.join(CSV_COLUMNS)}" for c in unknown]
    twice = sorted(column for column in set(columns) if columns.count(column) > 1)
    problems += [f"the column {_quote(column)} appears twice" for column in twice]
    if "name" not in columns:
        problems.append(f"the first row must name the columns, 'name' among them: {', '.join(CSV_COLUMNS)}")
    accounts: dict[str, _CsvAccount] = {}
    try:
        for row, cells in enumerate(() if problems else reader, start=2):
            if len(accounts) > MAX_ACCOUNTS:
                return [], [], [f"the file has more than {MAX_ACCOUNTS:,} accounts"]
            if any(cell.strip() for cell in cells[len(columns) :]):
                problems.append(f"row {row}: has {len(cells)} cells but only {len(columns)} columns")
            elif any(cell.strip() for cell in cells):
                padded = cells + [""] * (len(columns) - len(cells))  # a short row's missing cells are empty
                _read_row(row, dict(zip(columns, padded, strict=False)), accounts, problems)
    except csv.Error as exc:
        problems.append(f"row {reader.line_num}: not readable as CSV ({exc})")
    entries: list[DirectoryEntry] = []
    labels: list[str] = []
    for account in accounts.values():
        data = {name: getattr(account.entry, name) for name in account.entry.model_fields_set}
        data |= {"aliases": (*account.entry.aliases, *account.aliases)} if "aliases" in columns else {}
        data |= {"contacts": account.contacts} if set(_CONTACT_COLUMNS) & set(columns) else {}
        try:
            entries.append(DirectoryEntry.model_validate(data))
            labels.append(f"row {account.row}")
        except ValidationError as exc:  # what only adds up over rows: too many aliases or contacts
            problems += _problems(f"row {account.row}", exc)
    return entries, labels, problems


def _read_row(row: int, cells: dict[str, str], accounts: dict[str, _CsvAccount], problems: list[str]) -> None:
    entry: DirectoryEntry | None = None
    person: Contact | None = None
    try:
        entry = DirectoryEntry.model_validate({c: v for c, v in cells.items() if c not in _CONTACT_COLUMNS})
    except ValidationError as exc:
        problems += _problems(f"row {row}", exc)
    if contact := {_CONTACT_COLUMNS[c]: v for c, v in cells.items() if c in _CONTACT_COLUMNS and v.strip()}:
        try:
            person = Contact.model_validate(contact)
        except ValidationError as exc:
            problems += _problems(f"row {row}", exc, {v: k for k, v in _CONTACT_COLUMNS.items()})
    if entry is None:
        return
    account = accounts.setdefault(entry.key, _CsvAccount(row, entry))
    account.contacts += [person] if person else []
    if account.row == row:
        return
    # A repeated row of an account adds contacts and aliases; its other cells stay empty or agree.
    account.aliases += entry.aliases
    for name in entry.model_fields_set - {"name", "aliases"}:
        new, old = getattr(entry, name), getattr(account.entry, name)
        if new is not None and new != old:
            problems.append(
                f"row {row}, {name}: {_quote(new)} differs from row {account.row} ({_quote(old)}); a "
                "repeated row adds contacts, its other cells must be empty or the same"
            )


def _parse_yaml(text: str) -> Parsed:
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        return [], [], [f"{where}not readable as YAML: {' '.join(str(getattr(exc, 'problem', exc)).split())}"]
    if isinstance(data, dict) and set(data) == {"accounts"}:
        data = data["accounts"]
    if not isinstance(data, list | None):
        return [], [], ["the file must be a list of accounts, or `accounts:` followed by that list"]
    if len(data or ()) > MAX_ACCOUNTS:
        return [], [], [f"the file has {len(data or ()):,} accounts; at most {MAX_ACCOUNTS:,}"]
    entries: list[DirectoryEntry] = []
    labels: list[str] = []
    problems: list[str] = []
    for number, item in enumerate(data or (), start=1):
        if not isinstance(item, dict):
            problems.append(f"item {number}: {_quote(item)} is not an account (name: …, tier: …, arr: …)")
            continue
        try:
            entries.append(DirectoryEntry.model_validate({str(key): value for key, value in item.items()}))
            labels.append(f"item {number}")
        except ValidationError as exc:
            problems += _problems(f"item {number}", exc)
    return entries, labels, problems
