"""`warroom`: serve, demo, db, policy, accounts, and closing the loop (export, metrics, digest)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import cli_reports
from bot.policy.model import PolicyError, load_policy, policy_to_yaml
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.accounts.service import AccountProfile
    from storage.db import Database

log = logging.getLogger("warroom")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `warroom` console script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except SettingsError as error:
        print(f"warroom: configuration problem:\n{_indent(str(error))}", file=sys.stderr)
    except PolicyError as error:
        print(f"warroom: policy problem:\n{_indent(str(error))}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warroom", description="Live war rooms for customer escalations.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bot (Socket Mode or HTTP; the sandbox without tokens)")
    serve.add_argument("--port", type=int, help="HTTP port (default: PORT or 3000)")
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="play the seed example through the app against the sandbox")
    demo.set_defaults(run=_demo)

    db = commands.add_parser("db", help="database migrations").add_subparsers(metavar="ACTION")
    db_upgrade = db.add_parser("upgrade", help="bring the database to the newest schema")
    db_upgrade.set_defaults(run=_db_upgrade)
    db_current = db.add_parser("current", help="show the schema revision the database is at")
    db_current.set_defaults(run=_db_current)

    policy = commands.add_parser("policy", help="the escalation policy").add_subparsers(metavar="ACTION")
    policy_show = policy.add_parser("show", help="print the effective policy (built-in + WARROOM_POLICY)")
    policy_show.set_defaults(run=_policy_show)
    policy_check = policy.add_parser("check", help="validate a policy file")
    policy_check.add_argument("file")
    policy_check.set_defaults(run=_policy_check)

    accounts = commands.add_parser("accounts", help="the account directory").add_subparsers(metavar="ACTION")
    accounts_import = accounts.add_parser("import", help="add or update accounts from a CSV or YAML file")
    accounts_import.add_argument("file")
    accounts_import.set_defaults(run=_accounts_import)
    accounts_list = accounts.add_parser("list", help="print the account directory")
    accounts_list.set_defaults(run=_accounts_list)
    cli_reports.add_parsers(commands)
    return parser


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def _serve(args: argparse.Namespace) -> int:
    overrides = {"PORT": args.port} if args.port else {}
    settings = load_settings(**overrides)
    load_policy(settings.policy_path)  # a broken policy stops start-up with its own message
    if not settings.has_slack_credentials:
        print(
            "No SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET in the environment or .env: running the built-in "
            "sandbox instead of connecting to Slack.\n",
            flush=True,
        )
        return _demo(args)
    return _serve_slack(settings)


def _serve_slack(settings: Settings) -> int:
    from bot.app import build_bolt_app, build_warroom
    from bot.clocks import jobs
    from bot.http import build_wsgi_app
    from bot.logs import configure_logging
    from bot.server import DRAIN_SECONDS, serve_http, serve_socket_mode

    configure_logging(settings.log_level, settings.secret_values)
    db = _migrated_database(settings.database_url)
    if db is None:
        return 2
    warroom = build_warroom(settings, db=db)
    app = build_bolt_app(warroom)
    jobs.install(warroom.clocks, warroom.flow, warroom.digest)
    scheduler = jobs.build_scheduler(settings.sweep_seconds)
    scheduler.start()
    try:
        if settings.socket_mode and settings.slack_app_token:
            serve_socket_mode(app, settings.slack_app_token.get_secret_value())
        else:
            secret = (
                settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
            )
            serve_http(build_wsgi_app(app, db, secret), settings.port)
    finally:
        scheduler.shutdown(wait=True)  # a sweep under way finishes: a reminder is never half-posted
        app.listener_runner.listener_executor.shutdown(wait=True)  # modals being opened, quick
        unfinished = warroom.close(drain_seconds=DRAIN_SECONDS)
        log.info("stopped%s", f"; {unfinished} pieces of work left to resume" if unfinished else " cleanly")
    return 0


def _demo(_args: argparse.Namespace) -> int:
    from bot.sandbox.demo import run_demo

    run_demo(sys.stdout)
    return 0


def _db_upgrade(_args: argparse.Namespace) -> int:
    from storage.db import Database
    from storage.migrate import current_revision, upgrade

    db = Database(load_settings().database_url)
    upgrade(db.engine)
    print(f"database is at schema {current_revision(db.engine)} (newest)")
    return 0


def _db_current(_args: argparse.Namespace) -> int:
    from storage.db import Database
    from storage.migrate import current_revision, head_revision

    db = Database(load_settings().database_url)
    current, head = current_revision(db.engine), head_revision(db.engine)
    print(
        f"database schema: {current or 'none'}; newest: {head}"
        + ("" if current == head else " (run `warroom db upgrade`)")
    )
    return 0


def _policy_show(_args: argparse.Namespace) -> int:
    settings = load_settings()
    source = settings.policy_path or "built-in seed policy"
    print(f"# effective policy ({source})")
    print(policy_to_yaml(load_policy(settings.policy_path)), end="")
    return 0


def _policy_check(args: argparse.Namespace) -> int:
    load_policy(args.file)
    print(f"{args.file}: OK")
    return 0


def _accounts_import(args: argparse.Namespace) -> int:
    from bot.accounts.directory import DirectoryError, read_directory
    from bot.accounts.service import AccountDirectory

    try:
        entries = read_directory(args.file)
        db = _migrated_database()
        if db is None:
            return 2
        try:
            result = AccountDirectory(db).import_entries(entries)
        finally:
            db.dispose()
    except DirectoryError as error:
        # The first fifty show what to fix; thousands of lines would bury them.
        problems = error.problems
        shown = problems[:50] + ((f"… and {len(problems) - 50} more",) if len(problems) > 50 else ())
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        print(
            f"warroom: {args.file}: {count}, nothing imported:\n" + _indent("\n".join(shown)), file=sys.stderr
        )
        return 2
    print(
        f"Imported {result.total} accounts: {result.created} new, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
    return 0


def _accounts_list(_args: argparse.Namespace) -> int:
    from bot.accounts.service import AccountDirectory

    db = _migrated_database()
    if db is None:
        return 2
    try:
        profiles = AccountDirectory(db).list_accounts()
    finally:
        db.dispose()
    if not profiles:
        print("The account directory is empty; add accounts with `warroom accounts import FILE`.")
        return 0
    print(_accounts_table(profiles))
    print(f"{len(profiles)} account{'s' if len(profiles) != 1 else ''}")
    return 0


def _migrated_database(url: str | None = None) -> Database | None:
    """The configured database, a local SQLite file brought up to date first (as `serve` does); None,
    with the reason printed, when PostgreSQL is behind the code's schema."""
    from storage.db import Database
    from storage.migrate import current_revision, head_revision, upgrade

    db = Database(url or load_settings().database_url)
    if db.backend == "sqlite":
        upgrade(db.engine)
    elif current_revision(db.engine) != head_revision(db.engine):
        print(
            f"warroom: the database is at schema {current_revision(db.engine) or 'none'}, this version needs "
            f"{head_revision(db.engine)}. Run `warroom db upgrade` first.",
            file=sys.stderr,
        )
        db.dispose()
        return None
    return db


def _accounts_table(profiles: Sequence[AccountProfile], widest: int = 40) -> str:
    """Aligned columns; a cell longer than `widest` is cut, except the last (contacts), so one long alias
    list does not push every row off the screen."""
    header = ("Name", "Aliases", "Tier", "ARR", "CSM", "Channel", "Contacts")
    rows = [
        (
            p.name,
            ", ".join(p.aliases),
            p.tier.label if p.tier else "",
            f"${p.arr:,}" if p.arr is not None else "",
            p.csm or "",
            p.slack_connect_channel or "",
            "; ".join(
                c.name + (f" <{c.email}>" if c.email else "") + (f" ({c.timezone})" if c.timezone else "")
                for c in p.contacts
            ),
        )
        for p in profiles
    ]
    cells = [[c if len(c) <= widest else c[: widest - 1] + "…" for c in row[:-1]] + [row[-1]] for row in rows]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header) - 1)] + [0]
    rule = tuple("-" * max(width, len(title)) for title, width in zip(header, widths, strict=True))
    lines = (
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in [header, rule, *cells]
    )
    return "\n".join(line.rstrip() for line in lines)


if __name__ == "__main__":
    raise SystemExit(main())
