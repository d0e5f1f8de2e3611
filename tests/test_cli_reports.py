"""`warroom export`, `warroom metrics` and `warroom digest` as an operator runs them, over a database the
bot wrote (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from bot.cli import main
from tests.room_steps import clock_fixture, sev1_room, sev3_card, timed_fixture
from tests.test_export import key_paths

__all__ = ["clock_fixture", "timed_fixture"]


@pytest.fixture
def offline(monkeypatch, db):
    """The CLI pointed at the test database, with no Slack credentials (names stay Slack ids)."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db.url)


def test_export_prints_seed_004s_yaml_for_one_escalation(timed, offline, capsys) -> None:
    esc = sev1_room(timed)
    assert main(["export", esc.public_id.lower()]) == 0
    report = yaml.safe_load(capsys.readouterr().out)
    with open("tests/seed004_escalation_report.yaml", encoding="utf-8") as seed:
        shape = yaml.safe_load(seed)
    # Just opened: its lists (timeline aside) are empty, so every key outside list items is there.
    assert set(key_paths(report)) <= set(key_paths(shape))
    assert {p for p in key_paths(shape) if "[]" not in p} <= set(key_paths(report))
    assert report["escalation_report"]["id"] == esc.public_id
    assert report["escalation_report"]["customer"]["name"] == "Okafor Analytics"


def test_export_all_as_csv_is_one_row_per_escalation(timed, offline, capsys) -> None:
    first, second = sev1_room(timed), sev3_card(timed)
    assert main(["export", "--all", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in rows] == [first.public_id, second.public_id]


def test_export_says_what_it_needs(timed, offline, capsys) -> None:
    assert main(["export"]) == 2
    assert "name one escalation" in capsys.readouterr().err
    assert main(["export", "ESC-2026-999"]) == 1
    assert "can't find ESC-2026-999" in capsys.readouterr().err


def test_metrics_prints_the_figures_and_writes_the_chart(timed, clock, offline, capsys, tmp_path) -> None:
    clock.now = datetime.now(UTC) - timedelta(hours=1)  # the CLI counts back from the real now
    sev1_room(timed)
    chart = tmp_path / "metrics.png"
    assert main(["metrics", "--period", "7d", "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "last 7 days" in out and "SEV-1" in out
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert main(["metrics", "--period", "fortnight"]) == 2
    assert "choose 7d, 30d or 90d" in capsys.readouterr().err


def test_digest_without_slack_says_what_is_missing(offline, capsys) -> None:
    assert main(["digest"]) == 2
    assert "WARROOM_ESCALATIONS_CHANNEL" in capsys.readouterr().err
