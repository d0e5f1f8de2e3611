"""All the benchmarks' headline figures in one table: `python3 dev.py bench [--quick] [--only PART…]`.

Each `bench_*.py` prints a long report of its own, and the figures that matter (each against its aim, where
the script has one) are scattered through them. This runs the scripts one after another as subprocesses,
each with `--json FILE` into a temp dir, and prints one aligned table (Markdown, so it can be pasted into
the README) headed with the date, the machine and the command. A script that fails, times out or writes
no JSON makes its rows say so; the table is printed whatever happens.

Parts (`--only`/`--skip` take a part's name or a leading piece of it: `clocks`, `metrics-postgresql`):
  escalate             bench_escalate.py, SQLite: acknowledgments, room set-up, own time, bot memory
  drafts               bench_drafts.py, SQLite: mention → template draft
  metrics-sqlite       bench_metrics.py --no-postgres: 100,000 escalations, both histories
  metrics-postgresql   bench_metrics.py --database-url URL
  clocks-sqlite        bench_clocks.py --escalations 10000
  clocks-postgresql-1  bench_clocks.py --database-url URL --escalations 100000 --replicas 1
  clocks-postgresql-3  the same with --replicas 3
The PostgreSQL parts use `--database-url` (default $WARROOM_BENCH_POSTGRES_URL, else the local test
database) if it answers; if it does not, their rows say so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from textwrap import shorten
from typing import Any

from measure import python_speed_s  # benchmarks/ is on the path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_POSTGRES = os.environ.get(
    "WARROOM_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# A smoke run: small enough to finish in minutes (the clock runs keep their window unless --clock-args).
QUICK = {
    "escalate": "--requests 40 --ack-requests 20 --runs 5 --declarations 10 --burst 20",
    "drafts": "--runs 5",
    "metrics": "--escalations 2000 --customers 400 --repeat 3",
}
PERIODS = ("7d", "30d", "90d", "quarter")  # bench_metrics' periods, as the metrics rows show them
SIZES = {False: (100_000, 10_000, 100_000), True: (2000, 2000, 2000)}  # metrics, clocks SQLite, clocks PG

Found = dict[str, dict[str, Any]]  # part name → the JSON it wrote
Cells = tuple[str, str, str]  # figure, aim, verdict
Row = tuple[str, str, str, str]  # measure, figure, aim, verdict


@dataclass(frozen=True)
class Part:
    """One script run: its name (what `--only` picks), the script and its arguments (bar `--json`)."""

    name: str
    script: str
    argv: tuple[str, ...]
    postgres: bool = False

    def picked_by(self, word: str) -> bool:
        """Whether `word` is this part's name or a leading piece of it (`clocks`, `clocks-postgresql`)."""
        return self.name == word or self.name.startswith(word + "-") or not word


@dataclass
class Outcome:
    """What came of a part: "ok" and its JSON, or why not ("not run: …", "failed (exit 2): …")."""

    status: str
    seconds: float | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class RowSpec:
    """A row: the part it comes from, what it shows, its aim (shown when the part gave no figures) and how
    to fill it from the JSON (every part's, since a row may take a figure from a second one)."""

    part: str
    label: str
    aim: str
    build: Callable[[Found], Cells]


def plan(args: argparse.Namespace, pg_url: str) -> list[Part]:
    """Every part, with the sizes the run asks for."""
    quick = {k: tuple(shlex.split(v)) for k, v in QUICK.items()} if args.quick else {}
    _, clocks_sqlite, clocks_pg = SIZES[args.quick]
    extra = tuple(shlex.split(args.clock_args or ""))
    pg = ("--database-url", pg_url)
    pg_clocks = (*pg, "--escalations", str(clocks_pg))
    return [
        Part("escalate", "bench_escalate.py", quick.get("escalate", ())),
        Part("drafts", "bench_drafts.py", quick.get("drafts", ())),
        Part("metrics-sqlite", "bench_metrics.py", ("--no-postgres", *quick.get("metrics", ()))),
        Part("metrics-postgresql", "bench_metrics.py", (*pg, *quick.get("metrics", ())), postgres=True),
        Part("clocks-sqlite", "bench_clocks.py", ("--escalations", str(clocks_sqlite), *extra)),
        Part("clocks-postgresql-1", "bench_clocks.py", (*pg_clocks, "--replicas", "1", *extra), True),
        Part("clocks-postgresql-3", "bench_clocks.py", (*pg_clocks, "--replicas", "3", *extra), True),
    ]


def run_part(part: Part, workdir: Path, quiet: bool, timeout: float) -> Outcome:
    """Run one script with `--json` into `workdir`, its report streaming through (`quiet`: to a log).

    In a session of its own, so that a timeout or Ctrl-C ends it and every process it started (a clock run
    starts a fake Slack and a loader). Its stderr is kept too: a failure's reason is in its last lines.
    Ctrl-C is passed on and raised again, once the script has cleaned up (dropped its scratch schema)."""
    out, log = workdir / f"{part.name}.json", workdir / f"{part.name}.log"
    argv = [sys.executable, str(HERE / part.script), *part.argv, "--json", str(out)]
    print(f"\n=== table.py, {part.name}: {shlex.join(argv[1:])}", flush=True)
    tail: deque[str] = deque(maxlen=20)
    began = time.perf_counter()
    with log.open("w") as log_file:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=log_file if quiet else None,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        pump = threading.Thread(target=_pump, args=(process, tail, log_file if quiet else sys.stderr))
        pump.start()
        try:
            code: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(process)
            code = None
        except KeyboardInterrupt:
            _end(process)
            raise
        finally:
            pump.join(timeout=10)
    seconds = time.perf_counter() - began
    if code is None:
        return Outcome(f"failed: timed out after {timeout:.0f} s", seconds)
    if code != 0:
        if quiet:
            print(f"{part.name} failed (exit {code}); the end of its stderr:", *tail, sep="\n", flush=True)
        said = next((line.strip() for line in reversed(tail) if line.strip()), "")
        return Outcome(
            f"failed (exit {code})" + (f": {shorten(said, 90, placeholder=' …')}" if said else ""), seconds
        )
    try:
        return Outcome("ok", seconds, json.loads(out.read_text()))
    except (OSError, ValueError) as error:
        return Outcome(f"failed: it wrote no JSON figures ({type(error).__name__})", seconds)


def _pump(process: subprocess.Popen[str], tail: deque[str], to: Any) -> None:
    """Pass the script's stderr on as it comes, keeping its last lines."""
    assert process.stderr is not None
    for line in process.stderr:
        tail.append(line.rstrip("\n"))
        to.write(line)
        to.flush()


def _end(process: subprocess.Popen[str]) -> int:
    """End the script's session (it and whatever it started): SIGINT first, so that the script's cleanup
    runs (a PostgreSQL run drops its scratch schema), then SIGKILL if it lingers 30 s."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()
    except ProcessLookupError:
        return process.wait()


def postgres_version(url: str) -> str | None:
    """The server's version if PostgreSQL at `url` answers within 2 s, else None."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(url, connect_args={"connect_timeout": 2})
        try:
            with engine.connect() as connection:
                return str(connection.execute(text("SHOW server_version")).scalar())
        finally:
            engine.dispose()
    except Exception:  # any reason it does not answer is the same answer
        return None


def machine(pg_version: str | None, pg_url: str) -> str:
    """What the figures depend on besides the code: CPU, cores, RAM, OS, Python, PostgreSQL; and the load
    average at the start, since a machine busy with other work gives slower, noisier figures."""
    from sqlalchemy.engine import make_url

    def proc(path: str, key: str) -> str | None:
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            return None
        return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), None)

    cpu = proc("/proc/cpuinfo", "model name") or platform.processor() or platform.machine()
    mem = proc("/proc/meminfo", "MemTotal")
    ram = f"{int(mem.split()[0]) / 1024**2:.1f} GiB RAM" if mem else "RAM unknown"
    shown = make_url(pg_url).render_as_string(hide_password=True)
    pg = f"PostgreSQL {pg_version} at {shown}" if pg_version else f"PostgreSQL not reachable at {shown}"
    load = f"; load average {os.getloadavg()[0]:.2f} at the start" if hasattr(os, "getloadavg") else ""
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, {ram}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {pg}{load}"
    )


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def _fig(value: float) -> str:
    """One decimal below 100, none above: on a noisy machine more digits would mean nothing."""
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _aim(found: Found, key: str, default: float) -> float:
    """The aim as bench_escalate wrote it (the script's is the one that counts), else the known one."""
    return found["escalate"].get("aims", {}).get(key, default)


def _ack(figure: str, found: Found) -> Cells:
    """The intake-modal acknowledgment, the bot in its own process, at each concurrency level."""
    side = found["escalate"]["ack_own_process"]
    levels = side["levels"]
    joined = " / ".join(_fig(levels[k][figure]) for k in sorted(levels, key=int)) + " ms"
    if figure == "p99_ms":  # no aim of the script's; Slack's limit is the one that bites
        worst = max(level["p99_ms"] for level in levels.values())
        return joined, "< 3,000 ms (Slack's limit)", _met(worst < 3000)
    aim, ratio = _aim(found, "ack_ratio_10_1", 2.0), side["ratio_10_1"]
    return f"{joined} (10 : 1 = {ratio:.2f}×)", f"10-concurrent ≤ {aim:g}× 1-concurrent", _met(ratio <= aim)


def _burst(found: Found) -> Cells:
    burst, aim = found["escalate"]["burst"], _aim(found, "burst_ack_p99_ms", 1000.0)
    figure = f"{_fig(burst['median_ms'])} / {_fig(burst['p99_ms'])} ms ({burst['count']} at once; "
    figure += f"all rooms built in {burst['built_s']:.1f} s)"
    return figure, f"p99 ≤ {aim:,.0f} ms", _met(burst["p99_ms"] <= aim)


def _room(found: Found) -> Cells:
    room = found["escalate"]["room"]
    ratio = room["median_ms"] / room["floor_ms"]
    return f"{ratio:.2f}× ({_fig(room['median_ms'])} ms against {room['floor_ms']:.0f} ms)", "—", "—"


def _own(key: str, found: Found) -> Cells:
    own, aim = found["escalate"][key], _aim(found, "own_time_ms", 25.0)
    calls = f"; {own['slack_calls']:.0f} Slack calls" if "slack_calls" in own else ""
    figure = f"{_fig(own['own_median_ms'])} ms (p99 {_fig(own['own_p99_ms'])}{calls})"
    return figure, f"≤ {aim:g} ms", _met(own["own_median_ms"] <= aim)


def _clocks(part: str, escalations: int, found: Found) -> Cells:
    data = found[part]
    aim = data.get("aim_lateness_p99_s", 2.0)  # bench_clocks' AIM_LATENESS_P99_S when this was written
    p50, p99, posted, owed = (data[k] for k in ("lateness_p50_s", "lateness_p99_s", "posted", "owed"))
    if p50 is None or p99 is None:
        return f"nothing posted ({owed:,} owed)", f"p99 ≤ {aim:g} s, all posted", "missed"
    figure = f"{p50:.2f} / {p99:.2f} s; {_fig(data['reminders_per_s'])}/s; {posted:,} of {owed:,} posted"
    if data.get("escalations", escalations) != escalations:
        figure += f" ({data['escalations']:,} open)"
    return figure, f"p99 ≤ {aim:g} s, all posted", _met(p99 <= aim and posted >= owed)


def _metrics(part: str, days: float, found: Found) -> Cells:
    aim = found[part]["aim_ms"]
    periods = next(s["periods"] for s in found[part]["scenarios"] if s["days"] == days)
    medians = {name: periods[name]["median_ms"] for name in PERIODS}  # in the label's order
    over = [name for name, median in medians.items() if median > aim]
    figure = " / ".join(map(_fig, medians.values())) + " ms"
    return figure, f"≤ {aim:g} ms each", "missed: " + ", ".join(over) if over else "met"


def _draft(found: Found) -> Cells:
    template = found["drafts"]["template"]
    return f"{_fig(template['median_ms'])} ms ({template['runs']} runs)", "—", "—"


def _memory(found: Found) -> Cells:
    """bench_escalate's bot process at rest: a process holding the bot alone (no load, no fake Slack)
    that has served the acknowledgment levels, as a running bot has. bench_clocks' figure is of its own
    process just after start, holding its harness and no HTTP server: shown beside it, not instead."""
    rss = found["escalate"]["ack_own_process"]["bot_rss"]
    figure = f"{rss['at_rest_mib']:.1f} MiB ({rss['after_start_mib']:.1f} after start)"
    clocks = found.get("clocks-sqlite", {}).get("rss_start_mib")
    return figure + (f"; bench_clocks' process {clocks:.1f} MiB" if clocks else ""), "—", "—"


def row_specs(quick: bool) -> list[RowSpec]:
    """The table's rows in order; the sizes in the labels are the run's."""
    n_metrics, n_sqlite, n_pg = SIZES[quick]
    ack = "intake-modal ack, bot in its own process, 1 / 10 / 20 concurrent"
    e, own = "escalate", "≤ 25 ms"
    specs = [
        RowSpec(e, f"{ack}: p50", "10-concurrent ≤ 2× 1-concurrent", partial(_ack, "median_ms")),
        RowSpec(e, f"{ack}: p99", "< 3,000 ms (Slack's limit)", partial(_ack, "p99_ms")),
        RowSpec(e, "submissions at once, Slack at 100 ms: ack p50 / p99", "p99 ≤ 1,000 ms", _burst),
        RowSpec(e, "room ready (submission → pinned card), median ÷ 3 round trips", "—", _room),
        RowSpec(e, "own time per declaration over HTTP, median", own, partial(_own, "declarations")),
        RowSpec(e, "own time per declaration in-process, median", own, partial(_own, "service_open")),
    ]
    for part, where, n in (
        ("clocks-sqlite", "SQLite", n_sqlite),
        ("clocks-postgresql-1", "PostgreSQL, 1 replica", n_pg),
        ("clocks-postgresql-3", "PostgreSQL, 3 replicas", n_pg),
    ):
        label = f"reminders, {n:,} open, {where}: lateness p50 / p99; reminders/s"
        specs.append(RowSpec(part, label, "p99 ≤ 2 s, all posted", partial(_clocks, part, n)))
    for part, where in (("metrics-sqlite", "SQLite"), ("metrics-postgresql", "PostgreSQL")):
        for days, history in ((730.0, "over 2 years"), (90.0, "in 90 days")):
            label = f"metrics, {n_metrics:,} opened {history}, {where}: {' / '.join(PERIODS)}"
            specs.append(RowSpec(part, label, "≤ 300 ms each", partial(_metrics, part, days)))
    specs.append(RowSpec("drafts", "mention → posted template draft, median", "—", _draft))
    specs.append(RowSpec(e, "bot process at rest: resident memory", "—", _memory))
    return specs


def build_rows(specs: list[RowSpec], outcomes: dict[str, Outcome]) -> list[Row]:
    """A row per spec whose part was picked; a part without figures shows its status instead, and JSON
    not as expected (a script changed) shows what was missing: the table never fails for a row."""
    found = {name: o.data for name, o in outcomes.items() if o.data is not None}
    rows = []
    for spec in (s for s in specs if s.part in outcomes):
        if spec.part not in found:
            rows.append((spec.label, outcomes[spec.part].status, spec.aim, "—"))
            continue
        try:
            rows.append((spec.label, *spec.build(found)))
        except (KeyError, TypeError, ValueError, StopIteration, ZeroDivisionError) as error:
            rows.append(
                (spec.label, f"failed: unexpected JSON ({type(error).__name__}: {error})", spec.aim, "—")
            )
    return rows


def markdown(rows: list[Row]) -> list[str]:
    """The rows as an aligned Markdown table (a pipe in a cell escaped)."""
    cells = [["measure", "figure", "aim", "verdict"]]
    cells += [[cell.replace("|", "\\|") for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    return [lines[0], "| " + " | ".join("-" * w for w in widths) + " |", *lines[1:]]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 escalations, fewer requests")
    parser.add_argument("--only", nargs="+", metavar="PART", help="only these parts")
    parser.add_argument("--skip", nargs="+", default=[], metavar="PART", help="leave these parts out")
    parser.add_argument("--database-url", help=f"PostgreSQL for its parts (default {DEFAULT_POSTGRES})")
    parser.add_argument("--clock-args", help='more for bench_clocks.py: --clock-args="--window 30"')
    parser.add_argument("--markdown", metavar="FILE", help="also write the table to FILE")
    parser.add_argument("--json-dir", metavar="DIR", help="keep the scripts' JSON (and --quiet logs) in DIR")
    parser.add_argument("--quiet", action="store_true", help="the scripts' reports to logs, not the terminal")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds a part may take (3600)")
    args = parser.parse_args(argv)
    only, skip = args.only or [""], args.skip  # "" picks every part
    parts = plan(args, args.database_url or DEFAULT_POSTGRES)
    args.parts = [p for p in parts if any(map(p.picked_by, only)) and not any(map(p.picked_by, skip))]
    if not args.parts:
        parser.error("--only/--skip leave no part to run")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the parts, print the table; exit 1 if a part failed (a missed aim is a figure, not a failure)."""
    args = parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    command = os.environ.get("WARROOM_BENCH_COMMAND") or shlex.join(["python", "benchmarks/table.py", *given])
    started_at = datetime.now().astimezone()
    pg_url = args.database_url or DEFAULT_POSTGRES
    pg_version = postgres_version(pg_url) if any(p.postgres for p in args.parts) else None
    sizes = (
        "--quick, a smoke run (2,000 escalations for clocks and metrics, fewer requests): not to judge by"
        if args.quick
        else "full (the scripts' defaults; clocks 10,000 open on SQLite, 100,000 on PostgreSQL)"
    )
    speed_at_start = python_speed_s()
    header = [
        f"Benchmarks, {started_at:%Y-%m-%d %H:%M %Z}: `{command}`",
        "Machine: " + machine(pg_version, pg_url),
        f"Sizes: {sizes}" + (f"; bench_clocks.py also given `{args.clock_args}`" if args.clock_args else ""),
    ]
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="warroom-table-") as tmp:
        workdir = Path(args.json_dir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for part in args.parts:
            if part.postgres and pg_version is None:
                outcomes[part.name] = Outcome("not run: PostgreSQL does not answer (see Machine)")
                continue
            try:
                outcomes[part.name] = run_part(part, workdir, args.quiet, args.timeout)
            except KeyboardInterrupt:  # stop, and show what there is
                outcomes[part.name] = Outcome("failed: interrupted")
                break
    took = " · ".join(
        f"{name} "
        + (
            o.status.split(":")[0]
            if o.seconds is None
            else f"{o.seconds:.0f} s" + " (failed)" * (o.status != "ok")
        )
        for name, o in outcomes.items()
    )
    total = sum(o.seconds or 0 for o in outcomes.values())
    table = "\n".join(markdown(build_rows(row_specs(args.quick), outcomes)))
    speed = (
        f"Python's speed (CPU s for measure.python_speed_s's fixed mix; lower is faster): "
        f"{speed_at_start:.2f} at the start, {python_speed_s():.2f} at the end"
    )
    report = "\n\n".join([*header, speed, table, f"Parts: {took}; {total:.0f} s in all."]) + "\n"
    print("\n" + report, end="", flush=True)
    if args.markdown:
        Path(args.markdown).write_text(report)
    return 1 if any(o.status.startswith("failed") for o in outcomes.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
