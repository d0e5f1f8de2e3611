"""The account directory over the database: import it, list it, and recognise an account by any of its
names, in a form field or somewhere in free text.

The directory lives on the `customers` table escalations already point at, so a customer first typed into
an escalation is the same row once a directory lists it; `customer_aliases` holds every name an account
goes by (its own included) under its `account_key`, which makes each name belong to one account only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.accounts.directory import (
    KEY_MAX,
    Contact,
    DirectoryEntry,
    DirectoryError,
    account_key,
    check_entries,
)
from bot.core.text import clean
from bot.core.vocabulary import Tier
from storage import accounts as queries
from storage.db import Database
from storage.models import Customer
from storage.repository import customer_name_key

# An escalation opened for a customer while an import runs (PostgreSQL) makes the import's snapshot stale;
# it is read again rather than failing.
IMPORT_ATTEMPTS = 3

# The longest run of words `find_in_text` tries as a name, and how much of the text it reads.
LONGEST_NAME_WORDS = 6
TEXT_SCAN_LIMIT = 4_000

AliasRow = tuple[str, str, int]  # (alias_key, alias, customer_id)
Outcome = Literal["created", "updated", "unchanged"]


def candidate_keys(text: str) -> dict[str, tuple[int, int]]:
    """The account key of every run of 1..6 consecutive words of `text` (its first 4,000 characters), with
    (number of words, position of the first word), so a caller can look them all up at once and prefer
    the longest, then the earliest."""
    words = account_key(clean(text, TEXT_SCAN_LIMIT)).split()
    keys: dict[str, tuple[int, int]] = {}
    for start in range(len(words)):
        for count in range(1, min(LONGEST_NAME_WORDS, len(words) - start) + 1):
            key = " ".join(words[start : start + count])
            if len(key) > KEY_MAX:
                break
            keys.setdefault(key, (count, start))
    return keys


@dataclass(frozen=True)
class AccountProfile:
    """What warroom knows about one customer, for prefilling intake and for people to read."""

    customer_id: int
    name: str
    aliases: tuple[str, ...]
    tier: Tier | None
    arr: int | None
    csm: str | None
    contacts: tuple[Contact, ...]
    slack_connect_channel: str | None
    in_directory: bool

    @classmethod
    def of(cls, customer: Customer, aliases: Iterable[AliasRow]) -> AccountProfile:
        """The profile of a row and its alias rows (the one spelling its own name is not an alias)."""
        own = account_key(customer.name)
        tier = Tier.parse(customer.tier)
        return cls(
            customer_id=customer.id,
            name=customer.name,
            aliases=tuple(sorted((alias for key, alias, _ in aliases if key != own), key=str.casefold)),
            tier=Tier(tier) if tier else None,
            arr=customer.arr,
            csm=customer.csm,
            contacts=tuple(_contacts(customer.contacts or [])),
            slack_connect_channel=customer.slack_connect_channel,
            in_directory=customer.in_directory,
        )


def _contacts(stored: list[dict[str, str]]) -> Iterable[Contact]:
    for item in stored:
        try:
            yield Contact.model_validate(item)
        except ValidationError:
            continue  # an entry edited by hand in the database is not worth failing a prefill for


@dataclass(frozen=True)
class ImportResult:
    """How many accounts an import added to the directory, changed, or found as they were. A customer an
    escalation created and the import adopted counts as created: it is new to the directory."""

    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        """Every account the import listed."""
        return self.created + self.updated + self.unchanged


@dataclass
class _Change:
    """What an import does to one account."""

    entry: DirectoryEntry
    row: Customer | None  # the customer row it becomes (None: a new one)
    outcome: Outcome
    values: dict[str, Any] = field(default_factory=dict)  # the columns that change
    names: dict[str, str] | None = None  # every name by account key, when they change
    folded: list[Customer] = field(default_factory=list)


def _plan_import(
    entries: Sequence[DirectoryEntry], customers: Sequence[Customer], aliases: Sequence[AliasRow]
) -> list[_Change]:
    """What importing `entries` does, given every customer and alias row; raises `DirectoryError` for
    names the file gives to an account that belongs to another account it does not list.

    An entry is, in this order: the directory account of that name; a directory account known until now
    by that name as an alias (renamed); or a new directory account. Customers typed into escalations under
    any of its names are folded into it (their escalations follow), the oldest best-named one adopted
    as the account's row when it is new, so nothing is duplicated.
    """
    directory = {c.id: c for c in customers if c.in_directory}
    by_name = {account_key(c.name): c for c in directory.values()}
    owner = {key: customer_id for key, _, customer_id in aliases}
    current: dict[int, dict[str, str]] = defaultdict(dict)
    for key, alias, customer_id in aliases:
        current[customer_id][key] = alias
    typed: dict[str, list[Customer]] = defaultdict(list)
    for customer in customers:
        if not customer.in_directory:
            typed[account_key(customer.name)].append(customer)

    rows: list[Customer | None] = [by_name.get(entry.key) for entry in entries]
    claimed = {row.id for row in rows if row is not None}
    for index, entry in enumerate(entries):
        renamed = directory.get(owner.get(entry.key, -1))
        if rows[index] is None and renamed is not None and renamed.id not in claimed:
            rows[index] = renamed
            claimed.add(renamed.id)

    every_key = {key for entry in entries for key in entry.keys}
    problems: list[str] = []
    changes: list[_Change] = []
    for entry, row in zip(entries, rows, strict=True):
        others = _typed_as(entry, typed)
        adopted = others.pop(0) if row is None and others else None
        # An adopted row is an account new to the directory, though an escalation made the row.
        change = _Change(entry, row or adopted, "updated" if row is not None else "created", folded=others)
        for key, alias in entry.keys.items():
            holder = directory.get(owner.get(key, -1))
            if holder is not None and holder.id not in claimed:
                problems.append(
                    f"'{entry.name}', aliases: '{alias}' already belongs to '{holder.name}', which this "
                    "import does not list (list it too, without that alias)"
                )
        change.values = _new_values(entry, change.row)
        names = _new_names(entry, change.row, current, every_key)
        if change.row is None or names != current.get(change.row.id, {}):
            change.names = names
        if row is not None and not (change.values or change.names is not None or change.folded):
            change.outcome = "unchanged"
        changes.append(change)
    problems += _name_clashes(changes, customers)
    if problems:
        raise DirectoryError(problems)
    return changes


def _typed_as(entry: DirectoryEntry, typed: dict[str, list[Customer]]) -> list[Customer]:
    """Customers typed into escalations under one of the entry's names: the same spelling first, then
    the name in another spelling, then aliases; oldest first."""
    exact = customer_name_key(entry.name)
    found = [customer for key in entry.keys for customer in typed.get(key, ())]
    return sorted(found, key=lambda c: (c.name_key != exact, account_key(c.name) != entry.key, c.id))


def _new_values(entry: DirectoryEntry, row: Customer | None) -> dict[str, Any]:
    """The columns the entry sets that differ from `row` (all of them for a new row). Fields the file
    does not give keep their value."""
    given = entry.model_fields_set
    wanted: dict[str, Any] = {
        "name": entry.name,
        "name_key": customer_name_key(entry.name),
        "in_directory": True,
    }
    for name in ("arr", "csm", "slack_connect_channel"):
        if name in given:
            wanted[name] = getattr(entry, name)
    if "tier" in given:
        wanted["tier"] = entry.tier.value if entry.tier else None
    if "contacts" in given:
        wanted["contacts"] = [contact.model_dump(exclude_none=True) for contact in entry.contacts]
    if row is None:
        return wanted
    return {name: value for name, value in wanted.items() if getattr(row, name) != value}


def _new_names(
    entry: DirectoryEntry, row: Customer | None, current: dict[int, dict[str, str]], every_key: set[str]
) -> dict[str, str]:
    """The account's names by key: its name, then the aliases the file gives, or else the ones it had
    (less any the file gives to another account)."""
    if "aliases" in entry.model_fields_set or row is None:
        return dict(entry.keys)
    kept = current.get(row.id, {})
    return {entry.key: entry.name} | {key: alias for key, alias in kept.items() if key not in every_key}


def _name_clashes(changes: Sequence[_Change], customers: Sequence[Customer]) -> list[str]:
    # The matching above gives an account the row holding its name_key; only Unicode forms that fold
    # differently under the two keys could still meet here, and a sentence beats a constraint error.
    gone = {c.id for change in changes for c in change.folded}
    holders = {c.name_key: c for c in customers if c.id not in gone}
    problems = []
    for change in changes:
        holder = holders.get(customer_name_key(change.entry.name))
        if holder is not None and (change.row is None or holder.id != change.row.id):
            problems.append(f"'{change.entry.name}', name: is already the name of customer '{holder.name}'")
    return problems


class AccountDirectory:
    """The account directory of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def import_entries(self, entries: Sequence[DirectoryEntry]) -> ImportResult:
        """Add or update every entry in one transaction: all of them, or (`DirectoryError`) none.
        Importing the same entries again changes nothing and reports them all unchanged."""
        problems = check_entries(entries)
        if problems:
            raise DirectoryError(problems)
        attempt = 1
        while True:
            try:
                with self.db.session() as session:
                    changes = _plan_import(
                        entries, queries.all_customers(session), queries.all_aliases(session)
                    )
                    _save(session, changes)
            except IntegrityError:
                if attempt == IMPORT_ATTEMPTS:
                    raise
                attempt += 1
                continue
            count = Counter(change.outcome for change in changes)
            return ImportResult(count["created"], count["updated"], count["unchanged"])

    def list_accounts(self) -> list[AccountProfile]:
        """Every directory account, by name."""
        with self.db.reading() as session:
            customers = queries.directory_customers(session)
            aliases = queries.all_aliases(session)
        by_customer: dict[int, list[AliasRow]] = defaultdict(list)
        for row in aliases:
            by_customer[row[2]].append(row)
        return [AccountProfile.of(customer, by_customer[customer.id]) for customer in customers]

    def recognise(self, name: str) -> AccountProfile | None:
        """The account called `name` or known by it as an alias (case, spacing and punctuation aside); else
        a customer typed into an earlier escalation under that name (not `in_directory`); else None."""
        name = clean(name, 1_000)
        key = account_key(name)
        if not key:
            return None
        with self.db.reading() as session:
            owner = queries.alias_owners(session, [key]).get(key)
            customer = (
                session.get(Customer, owner)
                if owner is not None
                else queries.customer_by_name_key(session, customer_name_key(name))
            )
            return self._profile(session, customer)

    def find_in_text(self, text: str) -> AccountProfile | None:
        """The directory account whose name or alias appears in `text` ("Email from David Okafor at Okafor
        Analytics: exports fail"), the longest such name winning, then the first; None if none does.

        Every run of up to six words is looked up at once by its key, so the cost follows the text, not
        the size of the directory."""
        candidates = candidate_keys(text)
        if not candidates:
            return None
        with self.db.reading() as session:
            owners = queries.alias_owners(session, candidates)
            if not owners:
                return None
            best = max(owners, key=lambda key: (candidates[key][0], len(key), -candidates[key][1]))
            return self._profile(session, session.get(Customer, owners[best]))

    def repeat_escalations(self, customer_id: int, since: datetime) -> int:
        """How many escalations of the customer were opened since `since` (an aware datetime)."""
        with self.db.reading() as session:
            return queries.count_escalations_since(session, customer_id, since)

    @staticmethod
    def _profile(session: Session, customer: Customer | None) -> AccountProfile | None:
        if customer is None:
            return None
        return AccountProfile.of(customer, queries.aliases_of(session, [customer.id]))


def _save(session: Session, changes: Sequence[_Change]) -> None:
    # Folded customers go first, so the account taking their name_key never meets them.
    for change in changes:
        if change.folded and change.row is not None:
            for customer in change.folded:
                session.expunge(customer)
            queries.fold_customers(session, change.row.id, [c.id for c in change.folded])
    had_names = [c.row.id for c in changes if c.row is not None and c.names is not None]
    for change in changes:
        if change.row is None:
            change.row = Customer(**change.values)
            session.add(change.row)
        else:
            for name, value in change.values.items():
                setattr(change.row, name, value)
    session.flush()
    aliases = [
        {"alias_key": key, "alias": alias, "customer_id": change.row.id}
        for change in changes
        if change.names is not None and change.row is not None
        for key, alias in change.names.items()
    ]
    queries.replace_aliases(session, had_names, aliases)
