"""The account directory: files read and checked, imported on SQLite and PostgreSQL, and accounts
recognised by any of their names, in a field or in free text; `warroom accounts import / list`."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import cli
from bot.accounts.directory import Contact, DirectoryError, account_key, parse_directory, read_directory
from bot.accounts.service import AccountDirectory, ImportResult
from bot.core.vocabulary import Tier
from storage import repository as repo
from storage.db import Database
from storage.models import Customer, Escalation

HEADER = "name,aliases,tier,arr,csm,contact_name,contact_email,contact_timezone,slack_connect_channel\n"
CSV = HEADER + (
    "Okafor Analytics,Okafor;OA Corp,enterprise,$180k,U0123ABC,"
    "David Okafor,david@okafor.io,Africa/Lagos,C0123ABCD\n"
    "Okafor Analytics,,,,,Ana Ruiz,,europe/berlin,\n"
    "Acme Corp,ACME Inc|Acme Incorporated,business,1.2M,ana@example.com,,,,\n"
)
YAML = """\
accounts:
  - name: Okafor Analytics
    aliases: [Okafor, OA Corp]
    tier: Enterprise
    arr: 180000
    csm: <@U0123ABC>
    contacts:
      - {name: David Okafor, email: david@okafor.io, timezone: Africa/Lagos}
      - {name: Ana Ruiz, timezone: Europe/Berlin}
    slack_connect_channel: C0123ABCD
  - name: Acme Corp
    aliases: ACME Inc; Acme Incorporated
    tier: business
    arr: "1200000"
    csm: ana@example.com
"""
SINCE = datetime(2026, 3, 1, tzinfo=UTC)


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(db: Database, tmp_path: Path, text: str, name: str = "accounts.csv") -> ImportResult:
    return AccountDirectory(db).import_entries(read_directory(_file(tmp_path, name, text)))


def _escalate(db: Database, customer_id: int, at: datetime) -> None:
    with db.session() as session:
        number = session.execute(select(func.count()).select_from(Escalation)).scalar_one() + 1
        session.add(
            Escalation(
                public_id=f"ESC-2026-{number:03d}",
                year=2026,
                number=number,
                customer_id=customer_id,
                title="Exports fail",
                escalation_type="technical",
                severity="SEV-2",
                suggested_severity="SEV-2",
                caller_user_id="U0BEN",
                ic_user_id="U0ANA",
                room_kind="thread",
                created_at=at,
                first_response_due_at=at + timedelta(hours=1),
            )
        )


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("ACME, Corp.", "acme corp"),
        ("acme   corp", "acme corp"),
        ("Acme-Corp", "acme corp"),
        ("Smith & Sons", "smith and sons"),
        ("Ｆｕｌｌ　Ｗｉｄｔｈ", "full width"),  # full-width letters and space
        ("Müller GmbH", "müller gmbh"),
        ("株式会社トヨタ", "株式会社トヨタ"),
        ("!!!", ""),
    ],
)
def test_account_key_folds_case_punctuation_and_spacing(spelling: str, key: str) -> None:
    assert account_key(spelling) == key


def test_csv_import_reads_every_field_and_yaml_says_the_same(db: Database, tmp_path: Path) -> None:
    assert _import(db, tmp_path, CSV) == ImportResult(created=2, updated=0, unchanged=0)
    acme, okafor = AccountDirectory(db).list_accounts()
    assert (okafor.name, okafor.aliases, okafor.tier, okafor.arr) == (
        "Okafor Analytics",
        ("OA Corp", "Okafor"),
        Tier.ENTERPRISE,
        180_000,
    )
    assert (okafor.csm, okafor.slack_connect_channel, okafor.in_directory) == ("U0123ABC", "C0123ABCD", True)
    assert okafor.contacts == (
        Contact(name="David Okafor", email="david@okafor.io", timezone="Africa/Lagos"),
        Contact(name="Ana Ruiz", timezone="Europe/Berlin"),  # a repeated row adds a contact
    )
    assert (acme.aliases, acme.tier, acme.arr, acme.csm) == (
        ("ACME Inc", "Acme Incorporated"),
        Tier.BUSINESS,
        1_200_000,
        "ana@example.com",
    )
    # The YAML form of the same directory finds nothing to change.
    assert _import(db, tmp_path, YAML, "accounts.yaml") == ImportResult(created=0, updated=0, unchanged=2)


def test_the_format_is_sniffed_without_an_extension(tmp_path: Path) -> None:
    from_csv = read_directory(_file(tmp_path, "export", CSV))
    from_yaml = read_directory(_file(tmp_path, "directory", "- name: Okafor Analytics\n  arr: $180k\n"))
    assert [e.name for e in from_csv] == ["Okafor Analytics", "Acme Corp"]
    assert [(e.name, e.arr) for e in from_yaml] == [("Okafor Analytics", 180_000)]


def test_importing_the_same_file_again_changes_nothing(db: Database, tmp_path: Path) -> None:
    _import(db, tmp_path, CSV)
    before = AccountDirectory(db).list_accounts()
    with db.session() as session:
        stamps = session.execute(select(Customer.id, Customer.updated_at)).all()
    assert _import(db, tmp_path, CSV) == ImportResult(created=0, updated=0, unchanged=2)
    assert AccountDirectory(db).list_accounts() == before
    with db.session() as session:
        assert session.execute(select(Customer.id, Customer.updated_at)).all() == stamps


def test_an_update_changes_tier_arr_and_aliases(db: Database, tmp_path: Path) -> None:
    _import(db, tmp_path, CSV)
    directory = AccountDirectory(db)
    acme_id = directory.recognise("Acme Corp").customer_id  # type: ignore[union-attr]
    changed = HEADER + "ACME corp.,Acme Holdings,enterprise,$250k,U0ANA,,,,\n"
    assert _import(db, tmp_path, changed) == ImportResult(created=0, updated=1, unchanged=0)
    acme = directory.recognise("acme holdings")
    assert acme is not None and acme.customer_id == acme_id
    assert (acme.name, acme.aliases, acme.tier, acme.arr, acme.csm) == (
        "ACME corp.",
        ("Acme Holdings",),
        Tier.ENTERPRISE,
        250_000,
        "U0ANA",
    )
    assert directory.recognise("ACME Inc") is None, "an alias the file dropped no longer matches"
    # A file without an ARR column keeps every ARR; an empty cell in a column it has clears the value.
    assert _import(db, tmp_path, "name,tier\nAcme Corp,\n") == ImportResult(created=0, updated=1, unchanged=0)
    acme = directory.recognise("Acme Corp")
    assert acme is not None and (acme.tier, acme.arr, acme.aliases) == (None, 250_000, ("Acme Holdings",))


def test_an_account_renamed_to_its_alias_keeps_its_row_and_an_alias_can_become_an_account(
    db: Database, tmp_path: Path
) -> None:
    _import(db, tmp_path, CSV)
    directory = AccountDirectory(db)
    acme_id = directory.recognise("Acme Corp").customer_id  # type: ignore[union-attr]
    renamed = HEADER + "Acme Incorporated,Acme Corp,,,,,,,\nACME Inc,,starter,,,,,,\n"
    assert _import(db, tmp_path, renamed) == ImportResult(created=1, updated=1, unchanged=0)
    acme = directory.recognise("acme corp")
    assert acme is not None and (acme.customer_id, acme.name, acme.aliases) == (
        acme_id,
        "Acme Incorporated",
        ("Acme Corp",),
    )
    acme_inc = directory.recognise("Acme, Inc.")
    assert acme_inc is not None and acme_inc.customer_id != acme_id and acme_inc.tier == Tier.STARTER


def test_bad_values_are_reported_by_row_and_field_and_nothing_is_saved(db: Database, tmp_path: Path) -> None:
    bad = HEADER + (
        "Okafor Analytics,Okafor,enterprise,$180k,U0123ABC,David Okafor,,Africa/Lagos,\n"
        "Acme Corp,,business,12 apples,,,,,\n"
        "Initech,,gold,,,,,,#initech-shared\n"
        "Hooli,,,,,Gavin,gavin(at)hooli,Mars/Base,\n"
        "Okafor Labs,okafor,,,,,,,\n"
    )
    with pytest.raises(DirectoryError) as raised:
        read_directory(_file(tmp_path, "bad.csv", bad))
    assert raised.value.problems == (
        "row 3, arr: '12 apples' is not an amount like 180000 or $180k",
        "row 4, tier: 'gold' is not a tier; use enterprise, business or starter",
        "row 4, slack_connect_channel: '#initech-shared' is not a channel id like C0123ABCD (the channel's "
        "details show it)",
        "row 5, contact_email: 'gavin(at)hooli' is not an email address",
        "row 5, contact_timezone: 'Mars/Base' is not an IANA time zone like Europe/Berlin or "
        "America/New_York",
        "row 6, aliases: 'okafor' is also an alias of row 2 ('Okafor Analytics')",
    )
    with pytest.raises(DirectoryError, match="unknown column 'Region'"):
        parse_directory("name,Region,tier\nAcme,EU,business\n", "csv")
    with pytest.raises(DirectoryError, match=r"item 2, name: is missing"):
        parse_directory("- name: Acme\n- tier: business\n", "yaml")
    assert AccountDirectory(db).list_accounts() == []


def test_an_alias_held_by_an_account_the_file_does_not_list_stops_the_whole_import(
    db: Database, tmp_path: Path
) -> None:
    _import(db, tmp_path, CSV)
    before = AccountDirectory(db).list_accounts()
    clash = HEADER + "Initech,,starter,,,,,,\nOkafor Labs,OA Corp,,,,,,,\n"
    with pytest.raises(DirectoryError) as raised:
        _import(db, tmp_path, clash)
    assert raised.value.problems == (
        "'Okafor Labs', aliases: 'OA Corp' already belongs to 'Okafor Analytics', which this import does not "
        "list (list it too, without that alias)",
    )
    assert AccountDirectory(db).list_accounts() == before, "not even Initech was saved"


def test_recognise_by_name_or_alias_in_any_case_and_punctuation(db: Database, tmp_path: Path) -> None:
    _import(db, tmp_path, CSV)
    directory = AccountDirectory(db)
    for spelling in ("oa-corp.", "OKAFOR", "okafor analytics,", "  Okafor   Analytics "):
        found = directory.recognise(spelling)
        assert found is not None and found.name == "Okafor Analytics", spelling
    assert directory.recognise("Acme incorporated!").name == "Acme Corp"  # type: ignore[union-attr]
    assert directory.recognise("Initech") is None
    assert directory.recognise("   ") is None


def test_find_in_text_prefers_the_longest_name(db: Database, tmp_path: Path) -> None:
    _import(db, tmp_path, CSV + "Acme,,starter,,,,,,\nAcme Health,,enterprise,,,,,,\n")
    directory = AccountDirectory(db)
    found = directory.find_in_text("Email from David Okafor at Okafor Analytics: exports fail since Monday")
    assert found is not None and found.name == "Okafor Analytics"
    assert directory.find_in_text("Acme Health: the portal is down for Acme staff").name == "Acme Health"  # type: ignore[union-attr]
    assert directory.find_in_text("acme's portal is down").name == "Acme"  # type: ignore[union-attr]
    assert directory.find_in_text("ACME, Inc. cannot log in").name == "Acme Corp"  # type: ignore[union-attr]
    assert directory.find_in_text("Nothing to see here") is None
    assert directory.find_in_text("") is None


def test_a_customer_first_typed_into_an_escalation_is_adopted_not_duplicated(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as session:
        typed = repo.upsert_customer(session, "okafor analytics", "business", 90_000).id
        nickname = repo.upsert_customer(session, "Okafor", None, None).id
    _escalate(db, typed, SINCE + timedelta(days=1))
    _escalate(db, nickname, SINCE + timedelta(days=2))
    assert _import(db, tmp_path, CSV) == ImportResult(created=2, updated=0, unchanged=0)
    directory = AccountDirectory(db)
    okafor = directory.recognise("Okafor Analytics")
    assert okafor is not None and okafor.customer_id == typed
    assert (okafor.name, okafor.tier, okafor.arr, okafor.in_directory) == (
        "Okafor Analytics",
        Tier.ENTERPRISE,
        180_000,
        True,
    )
    # "Okafor" is an alias of the account now: its escalation moved to the account, its row went.
    assert directory.repeat_escalations(typed, SINCE) == 2
    with db.session() as session:
        names = session.execute(select(Customer.name).order_by(Customer.name)).scalars().all()
    assert names == ["Acme Corp", "Okafor Analytics"]


def test_a_customer_only_escalations_know_is_recognised_outside_the_directory(db: Database) -> None:
    with db.session() as session:
        repo.upsert_customer(session, "Initech", "starter", 12_000)
    found = AccountDirectory(db).recognise("initech")
    assert found is not None and (found.in_directory, found.tier, found.arr) == (False, Tier.STARTER, 12_000)
    assert AccountDirectory(db).list_accounts() == []


def test_repeat_escalations_counts_only_those_since_the_date(db: Database, tmp_path: Path) -> None:
    _import(db, tmp_path, CSV)
    directory = AccountDirectory(db)
    okafor = directory.recognise("Okafor Analytics")
    acme = directory.recognise("Acme Corp")
    assert okafor is not None and acme is not None
    for days in (-30, -1, 0, 5, 20):
        _escalate(db, okafor.customer_id, SINCE + timedelta(days=days))
    _escalate(db, acme.customer_id, SINCE + timedelta(days=3))
    assert directory.repeat_escalations(okafor.customer_id, SINCE) == 3
    assert directory.repeat_escalations(okafor.customer_id, SINCE + timedelta(days=30)) == 0
    assert directory.repeat_escalations(acme.customer_id, SINCE) == 1


def test_ten_thousand_accounts_import_and_are_found(db: Database, tmp_path: Path) -> None:
    rows = "".join(f"Customer {n:05d},C{n:05d},business,{n * 1000},,,,,\n" for n in range(10_000))
    assert _import(db, tmp_path, HEADER + rows) == ImportResult(created=10_000, updated=0, unchanged=0)
    directory = AccountDirectory(db)
    assert len(directory.list_accounts()) == 10_000
    found = directory.recognise("c04321")
    assert found is not None and (found.name, found.arr) == ("Customer 04321", 4_321_000)
    found = directory.find_in_text("Ticket from customer 09999: exports fail")
    assert found is not None and found.name == "Customer 09999"
    assert _import(db, tmp_path, HEADER + rows) == ImportResult(created=0, updated=0, unchanged=10_000)


@pytest.fixture
def cli_env(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """`warroom` run in-process against `db`, with no settings but its URL (and no `.env` to read)."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "WARROOM_", "ANTHROPIC_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)
    return db


def test_cli_imports_a_file_and_lists_the_directory(
    cli_env: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["accounts", "list"]) == 0
    assert "The account directory is empty" in capsys.readouterr().out
    path = str(_file(tmp_path, "accounts.csv", CSV))
    assert cli.main(["accounts", "import", path]) == 0
    assert capsys.readouterr().out == "Imported 2 accounts: 2 new, 0 updated, 0 unchanged.\n"
    assert cli.main(["accounts", "import", path]) == 0
    assert capsys.readouterr().out == "Imported 2 accounts: 0 new, 0 updated, 2 unchanged.\n"
    assert cli.main(["accounts", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Name", "Aliases", "Tier", "ARR", "CSM", "Channel", "Contacts"]
    assert lines[2].split()[:5] == ["Acme", "Corp", "ACME", "Inc,", "Acme"]
    okafor = lines[3]
    for shown in ("Okafor Analytics", "OA Corp, Okafor", "Enterprise", "$180,000", "U0123ABC", "C0123ABCD"):
        assert shown in okafor
    assert "David Okafor <david@okafor.io> (Africa/Lagos); Ana Ruiz (Europe/Berlin)" in okafor
    assert lines[-1] == "2 accounts"


def test_cli_lists_every_problem_and_saves_nothing(
    cli_env: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, "bad.csv", HEADER + "Acme Corp,,business,12 apples,,,,,\nInitech,,gold,,,,,,\n")
    assert cli.main(["accounts", "import", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"warroom: {path}: 2 problems, nothing imported:\n"
        "  row 2, arr: '12 apples' is not an amount like 180000 or $180k\n"
        "  row 3, tier: 'gold' is not a tier; use enterprise, business or starter\n"
    )
    assert AccountDirectory(cli_env).list_accounts() == []
    assert cli.main(["accounts", "import", str(tmp_path / "missing.csv")]) == 2
    assert "file not found" in capsys.readouterr().err
