"""Seed 004's escalation report: every key of the seed's shape in its order, values from the record and
nulls for what it does not know, YAML that reads back, and a CSV no spreadsheet runs as a formula."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.escalations.read_model import TimelineEntry
from bot.policy.model import load_policy
from bot.reports.export import escalation_report, export_csv, export_yaml, severity_word
from tests.factories import CREATED, make_snapshot
from tests.test_report import NAMES, NOW, closed_escalation, entry, follow_up, scripted_timeline

SEED_COPY = Path(__file__).with_name("seed004_escalation_report.yaml")
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def key_paths(value: Any, prefix: str = "") -> list[str]:
    """Every key path in order, list items as `[]`. A seed placeholder such as `{score}` reads in YAML as
    the mapping {"score": None}: it stands for one value, so it is a leaf."""
    if isinstance(value, dict) and not (len(value) == 1 and next(iter(value.values())) is None):
        paths: list[str] = []
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths += [path, *key_paths(inner, path)]
        return paths
    if isinstance(value, list):
        item_paths: list[str] = []
        for item in value:
            item_paths += [p for p in key_paths(item, f"{prefix}[]") if p not in item_paths]
        return item_paths
    return []


def full_report() -> dict[str, Any]:
    """The scripted escalation with something in every list of the shape."""
    esc = closed_escalation(
        root_cause_category="product",
        root_cause="The migration skipped rows with null timestamps",
        contributing_factors=("No row-count check", "Alerts only on errors"),
        customer_satisfaction="4/5",
        resolution_breached=True,
    )
    follow_ups = [
        follow_up(
            1, "prevention", "Row counts in migrations", owner_user_id="U0ENG", due_at=NOW + timedelta(days=9)
        ),
        follow_up(
            2,
            "prevention",
            "Page on silent loss",
            horizon="immediate",
            owner_user_id="U0IC",
            due_at=NOW + timedelta(days=2),
        ),
        follow_up(
            3,
            "prevention",
            "Migration playbook",
            horizon="long_term",
            owner_user_id="U0LIA",
            due_at=NOW + timedelta(days=30),
        ),
        # Done, and due earliest: not the one the prevention owner comes from.
        follow_up(
            4, "prevention", "Hotfix", status="done", owner_user_id="U0CALLER", due_at=NOW - timedelta(days=1)
        ),
        follow_up(5, "recovery", "Service credit (1 month)"),
    ]
    timeline = [
        *scripted_timeline(),
        entry(236, "draft_sent", "Executive apology sent", "U0IC", channel="call"),
    ]
    return escalation_report(esc, timeline, follow_ups, NAMES, customer_key="okafor-analytics", now=NOW)


def test_the_seed_copy_is_still_the_block_in_seed_004():
    seed = next(iter(SEEDS.glob("004_*.txt")), None) if SEEDS.is_dir() else None
    if seed is None:
        pytest.skip("../shared/seeds is not beside the repository")
    block = re.search(r"```yaml\n(.*?)```", seed.read_text(), re.DOTALL)
    assert block is not None
    assert SEED_COPY.read_text() == block.group(1)


def test_every_key_path_of_the_seed_shape_is_there_in_its_order():
    seed_paths = key_paths(yaml.safe_load(SEED_COPY.read_text()))
    ours = key_paths(yaml.safe_load(export_yaml(full_report())))

    assert "escalation_report.timeline[].owner" in seed_paths  # the walk goes into list items
    assert "escalation_report.communication_log[].customer_response" in seed_paths
    assert ours == seed_paths


def test_yaml_reads_back_to_the_same_report():
    report = full_report()
    text = export_yaml(report)

    assert yaml.safe_load(text) == report
    assert text.startswith("escalation_report:\n  id: ESC-2026-007\n")  # block style, seed order
    assert "{" not in text and "[" not in text  # no flow style anywhere


def test_values_come_from_the_record():
    report = full_report()["escalation_report"]

    assert report["date_opened"] == "2026-03-02T14:05:00Z"
    assert report["date_resolved"] == "2026-03-02T17:25:00Z"
    assert report["customer"] == {
        "id": "okafor-analytics",
        "name": "Okafor Analytics",
        "tier": "enterprise",
        "arr": "$180,000",
        "health_score": None,
    }
    assert report["escalation"] == {
        "summary": "Migration corrupted 6 months of historical reports",
        "severity": "critical",
        "category": "technical",
    }
    assert report["impact"]["revenue_at_risk"] == "$180,000"
    assert report["impact"]["users_affected"] == 1200
    assert report["impact"]["sla_breach"] is True
    assert report["root_cause"] == {
        "category": "product",
        "description": "The migration skipped rows with null timestamps",
        "contributing_factors": ["No row-count check", "Alerts only on errors"],
    }
    # Opened 14:05, resolved 17:25.
    assert report["resolution"] == {
        "action_taken": "Restored the reports from the pre-migration backup",
        "owner": "Eli Park",
        "time_to_resolve": "3h 20m",
        "customer_satisfaction": "4/5",
    }
    assert report["prevention"] == {
        "immediate_actions": ["Row counts in migrations", "Page on silent loss", "Hotfix"],
        "long_term_improvements": ["Migration playbook"],
        "owner": "Ana Lopez",  # the open action due first (in 2 days)
        "due_date": "2026-03-07",
    }


def test_timeline_and_communication_log_read_like_the_report():
    report = full_report()["escalation_report"]

    assert report["timeline"][0] == {
        "timestamp": "2026-03-02T14:05:00Z",
        "event": "Issue first reported",
        "owner": "Ben Okoro",
    }
    events = [row["event"] for row in report["timeline"]]
    assert "First response by @Ana Lopez" in events
    assert "Root cause identified" in events
    assert not any("snoozed" in event or "archived" in event for event in events)
    assert report["communication_log"] == [
        {
            "channel": "email",
            "date": "2026-03-02T15:30:00Z",
            "summary": "Told David the rollback is under way",
            "customer_response": None,
        },
        {
            "channel": "email",
            "date": "2026-03-02T18:00:00Z",
            "summary": "Customer confirmed the resolution",
            "customer_response": "Okafor Analytics confirmed the resolution: by phone with David",
        },
        {
            "channel": "call",
            "date": "2026-03-02T18:01:00Z",
            "summary": "Executive apology sent",
            "customer_response": None,
        },
    ]


def test_what_the_record_does_not_know_is_null():
    esc = make_snapshot()  # just opened: no tier, ARR, users, resolution or root cause
    timeline = [TimelineEntry(CREATED, "created", "ESC-2026-007 opened as SEV-1", "U0CALLER")]
    report = escalation_report(esc, timeline, [], NAMES, now=NOW)
    loaded = yaml.safe_load(export_yaml(report))["escalation_report"]

    assert loaded["date_resolved"] is None
    assert loaded["customer"] == {
        "id": None,
        "name": "Okafor Analytics",
        "tier": None,
        "arr": None,
        "health_score": None,
    }
    assert loaded["impact"] == {
        "business_impact": None,
        "revenue_at_risk": None,
        "users_affected": None,
        "sla_breach": False,
    }
    assert loaded["root_cause"] == {"category": None, "description": None, "contributing_factors": []}
    assert loaded["resolution"] == {
        "action_taken": None,
        "owner": None,
        "time_to_resolve": None,
        "customer_satisfaction": None,
    }
    assert loaded["prevention"] == {
        "immediate_actions": [],
        "long_term_improvements": [],
        "owner": None,
        "due_date": None,
    }
    assert loaded["communication_log"] == []


def test_severity_words_map_to_seed_004():
    policy = load_policy(None)
    words = {s: severity_word(s, policy.for_severity(s).label) for s in ("SEV-1", "SEV-2", "SEV-3", "SEV-4")}

    assert words == {"SEV-1": "critical", "SEV-2": "high", "SEV-3": "medium", "SEV-4": "low"}
    assert severity_word("SEV-2", "Sev Two") == "high"  # a policy's own label falls back to the rank


def test_csv_has_a_header_and_one_row_per_escalation():
    second = escalation_report(
        make_snapshot(public_id="ESC-2026-008", customer="Hooli"), [], [], NAMES, now=NOW
    )
    rows = list(csv.DictReader(io.StringIO(export_csv([full_report(), second]))))

    assert [row["id"] for row in rows] == ["ESC-2026-007", "ESC-2026-008"]
    first = rows[0]
    assert first["customer.name"] == "Okafor Analytics"
    assert first["impact.sla_breach"] == "true"
    assert first["customer.arr"] == "$180,000"
    assert first["timeline_events"] == "12"  # the scripted escalation's eleven rows and the sent draft
    assert first["prevention_actions"] == "4"
    assert first["root_cause.contributing_factors"] == "No row-count check; Alerts only on errors"
    assert rows[1]["customer.tier"] == ""  # unknown
    assert export_csv([]).count("\n") == 1  # the header alone


def test_csv_cells_never_start_a_formula():
    esc = make_snapshot(
        customer='=HYPERLINK("http://x","click")',
        title="+1 call me",
        description="-2 days",
        resolution_summary="@SUM(A1)",
    )
    report = escalation_report(esc, [], [], NAMES, now=NOW)
    row = next(csv.DictReader(io.StringIO(export_csv([report]))))

    assert row["customer.name"] == '\'=HYPERLINK("http://x","click")'
    assert row["escalation.summary"] == "'+1 call me"
    assert row["impact.business_impact"] == "'-2 days"
    assert row["resolution.action_taken"] == "'@SUM(A1)"
    assert all(not value.startswith(("=", "+", "-", "@")) for value in row.values())
