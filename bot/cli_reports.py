"""`warroom export`, `warroom metrics` and `warroom digest`: closing the loop from a terminal."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from bot.settings import load_settings

if TYPE_CHECKING:
    from bot.app import Warroom


def add_parsers(commands: Any) -> None:
    """Add the three commands to the `warroom` parser's subcommands."""
    export = commands.add_parser(
        "export", help="print seed 004's escalation report (YAML), or every escalation as CSV"
    )
    export.add_argument("escalation", nargs="?", help="ESC-2026-007")
    export.add_argument("--all", action="store_true", help="every escalation (use with --format csv)")
    export.add_argument("--format", choices=("yaml", "csv"), default="yaml")
    export.set_defaults(run=_export)

    metrics = commands.add_parser("metrics", help="print seed 001's escalation metrics")
    metrics.add_argument("--period", default=None, help="7d, 30d, 90d or quarter (default: the policy's)")
    metrics.add_argument("--chart", metavar="FILE.png", help="also write the chart to this file")
    metrics.set_defaults(run=_metrics)

    digest = commands.add_parser("digest", help="post the weekly digest to WARROOM_ESCALATIONS_CHANNEL now")
    digest.set_defaults(run=_digest)


def _warroom() -> Warroom | None:
    from bot.app import build_warroom
    from bot.cli import _migrated_database

    settings = load_settings()
    db = _migrated_database(settings.database_url)
    return None if db is None else build_warroom(settings, db=db)


def _export(args: argparse.Namespace) -> int:
    from bot.escalations.access import not_found
    from storage import repository as repo

    if bool(args.escalation) == bool(args.all):
        print("warroom export: name one escalation (ESC-2026-007) or use --all", file=sys.stderr)
        return 2
    if args.escalation and args.format != "yaml":
        print(
            "warroom export: one escalation is YAML (seed 004's shape); --all --format csv", file=sys.stderr
        )
        return 2
    warroom = _warroom()
    if warroom is None:
        return 2
    # Names come from Slack when warroom can ask it; offline, people are their Slack ids.
    names = warroom.settings.has_slack_credentials
    try:
        if args.all:
            reports = warroom.reports
            print(reports.export_all_csv() if args.format == "csv" else reports.export_all_yaml(), end="")
            return 0
        with warroom.db.session() as session:
            row = repo.find_by_public_id(session, args.escalation.strip().upper())
            escalation_id = row.id if row else None
        if escalation_id is None:
            print(f"warroom export: {not_found(args.escalation)}".replace("*", ""), file=sys.stderr)
            return 1
        print(warroom.reports.export(escalation_id, with_names=names), end="")
        return 0
    finally:
        warroom.close()


def _metrics(args: argparse.Namespace) -> int:
    from blocks.reports.metrics import metrics_text
    from bot.escalations.record import InvalidChange
    from bot.reports.chart import render_chart

    warroom = _warroom()
    if warroom is None:
        return 2
    try:
        metrics = warroom.reports.metrics(args.period)
    except InvalidChange as problem:
        print(f"warroom metrics: {problem}", file=sys.stderr)
        return 2
    finally:
        warroom.close()
    print(metrics_text(metrics))
    if args.chart:
        with open(args.chart, "wb") as out:
            out.write(render_chart(metrics, warroom.policy))
        print(f"chart written to {args.chart}")
    return 0


def _digest(_args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.has_slack_credentials or not settings.escalations_channel:
        print(
            "warroom digest: needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and WARROOM_ESCALATIONS_CHANNEL",
            file=sys.stderr,
        )
        return 2
    warroom = _warroom()
    if warroom is None:
        return 2
    try:
        ts = warroom.digest.post_now()
    finally:
        warroom.close()
    print(f"digest posted to {settings.escalations_channel} (message {ts})")
    return 0
