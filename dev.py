#!/usr/bin/env python3
"""Set up and run warroom with nothing but Python: `python3 dev.py run | test | bench`.

It makes `.venv/` on first use (and again when pyproject.toml changes), installs the project into it,
then runs the bot, the test suite or the benchmarks from there. `bench` prints one table of the
benchmarks' figures; its options are benchmarks/table.py's (`python3 dev.py bench --help`).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_environment(extras: str) -> Path:
    """The virtualenv's python, with the project (and `extras`) installed and current."""
    python = BIN / ("python.exe" if os.name == "nt" else "python")
    if not python.exists():
        print("Creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    stamp = VENV / f".installed-{extras or 'base'}-{digest}"
    if not stamp.exists():
        print("Installing warroom and its dependencies into .venv …", flush=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        # venv seeds whatever pip and setuptools Python shipped with (setuptools 65 has known advisories,
        # and the audit in .ci/run judges what is installed): both are brought up to date first.
        subprocess.run([*pip, "--upgrade", "pip", "setuptools"], check=True)
        target = f".[{extras}]" if extras else "."
        subprocess.run([*pip, "--editable", target], check=True, cwd=ROOT)
        stamp.touch()
    return python


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("run", [])
    if command == "run":
        python = ensure_environment("")
        return subprocess.call([str(python), "-m", "bot.cli", "serve", *rest], cwd=ROOT)
    if command == "test":
        python = ensure_environment("dev")
        lint = subprocess.call([str(python), "-m", "ruff", "check", "."], cwd=ROOT)
        tests = subprocess.call([str(python), "-m", "pytest", *rest], cwd=ROOT)
        return tests or lint
    if command == "bench":
        # One table of every benchmark's headline figures (benchmarks/table.py runs the bench_*.py scripts);
        # the command is passed on so that the table's heading shows what was typed.
        python = ensure_environment("dev")
        env = {**os.environ, "WARROOM_BENCH_COMMAND": shlex.join(["python3", "dev.py", "bench", *rest])}
        return subprocess.call([str(python), str(ROOT / "benchmarks" / "table.py"), *rest], cwd=ROOT, env=env)
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
