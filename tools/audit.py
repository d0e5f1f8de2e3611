"""Dependency audit for CI: `python -m tools.audit [--json] [--timeout S]`.

pip-audit is the real tool, so it runs whenever it is installed and its service answers. On machines where
it cannot (no OSV, no per-version PyPI JSON), this falls back to what the reachable PyPI project JSON can
tell: vulnerabilities of the *latest* release and yanked files of every release. That is weaker, so the
report says exactly which packages it could not judge instead of passing them silently.

Exit codes: 0 clean, 1 a finding (vulnerability or yanked release), 2 the audit could not run.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

DEFAULT_INDEX_URL = "https://pypi.org/pypi"
PIP_AUDIT_PYPI_PROBE = "https://pypi.org/pypi/pip/24.0/json"  # pip-audit's default service: per-version JSON
PIP_AUDIT_OSV_PROBE = "https://api.osv.dev/v1/query"
SELF = frozenset({"warroom"})  # the editable project itself is not a dependency
USER_AGENT = "warroom-audit/1 (+urllib)"


class Unreachable(Exception):
    """The index did not answer usefully for a project, even after retries."""


@dataclass(frozen=True)
class Installed:
    name: str  # PEP 503-normalised
    version: str


@dataclass
class Report:
    index_url: str
    audited: int = 0
    at_latest: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fallback_reason: str = ""

    @property
    def exit_code(self) -> int:
        """A finding outranks an incomplete run: we know something is wrong either way."""
        if self.findings:
            return 1
        return 2 if self.errors else 0


def normalise(name: str) -> str:
    """PEP 503 name, so `Foo_Bar`, `foo.bar` and `foo-bar` are one project (and one index URL)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(version: str) -> Version | None:
    """A comparable version, or None for local oddities like `1.0-custom` that PEP 440 rejects."""
    try:
        return Version(version)
    except (InvalidVersion, TypeError):
        return None


def list_installed(dists: Iterable[Any] | None = None, skip: Iterable[str] = SELF) -> list[Installed]:
    """Installed distributions, first occurrence per name (what `import` would load), broken ones dropped.

    `dists` defaults to `importlib.metadata.distributions()`; anything with `.metadata["Name"]` and
    `.version` will do, which is how tests hand in strange environments.
    """
    skipped = {normalise(s) for s in skip}
    seen: dict[str, Installed] = {}
    for dist in importlib.metadata.distributions() if dists is None else dists:
        raw_name, version = dist.metadata["Name"], dist.version
        if not raw_name or not version:
            continue
        name = normalise(str(raw_name))
        if name not in skipped and name not in seen:
            seen[name] = Installed(name, str(version).strip())
    return sorted(seen.values(), key=lambda i: i.name)


def fetch_project(
    name: str, index_url: str, timeout: float, retries: int = 3, backoff: float = 0.5
) -> dict[str, Any] | None:
    """The project JSON, or None when the index has no such project (404).

    Network errors and 5xx/429 are retried with exponential backoff; other answers are final.
    """
    url = f"{index_url.rstrip('/')}/{name}/json"
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    last = "no attempt"
    for attempt in range(max(1, retries)):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = json.loads(response.read())
            if not isinstance(data, dict):
                raise Unreachable(f"{url}: unexpected JSON {type(data).__name__}")
            return data
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            last = f"HTTP {exc.code}"
            if exc.code != 429 and exc.code < 500:
                break
        except (OSError, http.client.HTTPException) as exc:  # URLError, refused, reset, DNS, timeout, cut off
            last = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
        except ValueError as exc:
            raise Unreachable(f"{url}: not JSON ({exc})") from exc
    raise Unreachable(f"{url}: {last}")


def _files_of(releases: dict[str, Any], version: str) -> list[dict[str, Any]]:
    """Files of `version`, matching `1.0` to a `1.0.0` key the way pip would."""
    if version in releases:
        return releases[version] or []
    wanted = parse(version)
    for key, files in releases.items():
        if wanted is not None and parse(key) == wanted:
            return files or []
    return []


def _unfixed_in(vuln: dict[str, Any], latest: Version | None) -> bool:
    """True when no release up to `latest` fixes it; an unparsable fixed_in is not trusted as a fix."""
    fixed = [parse(str(v)) for v in vuln.get("fixed_in") or []]
    return latest is None or all(f is None or f > latest for f in fixed)


def _first_line(text: object) -> str:
    return next(iter(str(text or "").strip().splitlines()), "")[:160]


def _finding(pkg: Installed, vuln: dict[str, Any], kind: str = "vulnerability") -> dict[str, Any]:
    return {
        "package": pkg.name,
        "version": pkg.version,
        "kind": kind,
        "id": vuln.get("id") or "?",
        "aliases": list(vuln.get("aliases") or []),
        "fixed_in": list(vuln.get("fixed_in") or []),
        "link": vuln.get("link") or "",
        "summary": _first_line(vuln.get("summary") or vuln.get("details")),
    }


def judge(pkg: Installed, data: dict[str, Any] | None, report: Report) -> None:
    """Add what one project JSON says about the installed release to `report`."""
    if data is None:
        report.warnings.append(f"{pkg.name}: not on PyPI")
        return
    report.audited += 1
    latest_text = str((data.get("info") or {}).get("version") or "")
    installed, latest = parse(pkg.version), parse(latest_text)
    vulns = [v for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]
    is_latest = installed == latest if None not in (installed, latest) else pkg.version == latest_text
    if is_latest:
        report.at_latest += 1
        report.findings.extend(_finding(pkg, v) for v in vulns)
    else:
        unfixed = [v for v in vulns if _unfixed_in(v, latest)]
        report.findings.extend(_finding(pkg, v) for v in unfixed)
        if not unfixed:
            report.warnings.append(
                f"{pkg.name}: not auditable here: installed {pkg.version}, latest {latest_text}"
            )
    yanked = [f for f in _files_of(data.get("releases") or {}, pkg.version) if f.get("yanked")]
    if yanked:
        reason = next((f.get("yanked_reason") for f in yanked if f.get("yanked_reason")), None)
        report.findings.append(
            _finding(pkg, {"id": "yanked", "summary": reason or "no reason given"}, "yanked")
        )


def audit(
    installed: Sequence[Installed],
    index_url: str,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 0.5,
    workers: int = 8,
) -> Report:
    """Fetch every project concurrently and judge it; unreachable projects become errors (exit 2)."""
    report = Report(index_url=index_url)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            (p, pool.submit(fetch_project, p.name, index_url, timeout, retries, backoff)) for p in installed
        ]
        for pkg, future in futures:
            try:
                judge(pkg, future.result(), report)
            except Unreachable as exc:
                report.errors.append(str(exc))
    if installed and len(report.errors) == len(installed):
        report.errors[:] = [f"audit could not run: {index_url} is not reachable ({report.errors[0]})"]
    elif report.errors:
        report.errors.insert(
            0, f"audit could not run completely: {len(report.errors)} project(s) not fetched"
        )
    return report


def pip_audit_service(timeout: float = 3.0) -> tuple[list[str] | None, str]:
    """pip-audit's service arguments if it can work here, else (None, why not): probe once, briefly."""
    if importlib.util.find_spec("pip_audit") is None:
        return None, "pip_audit is not installed"
    why = []
    probes = [
        ([], urllib.request.Request(PIP_AUDIT_PYPI_PROBE, headers={"User-Agent": USER_AGENT})),
        (
            ["--vulnerability-service", "osv"],
            urllib.request.Request(
                PIP_AUDIT_OSV_PROBE,
                method="POST",
                headers={"Content-Type": "application/json"},
                data=b'{"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "24.0"}',
            ),
        ),
    ]
    for args, request in probes:
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return args, ""
        except (OSError, ValueError) as exc:
            why.append(f"{request.full_url}: {getattr(exc, 'reason', None) or exc}")
    return None, "pip-audit's services do not answer (" + "; ".join(why) + ")"


def render(report: Report) -> str:
    """The short human report: counts, findings, then warnings and errors at the end."""
    lines = [f"audited {report.audited} package(s) against {report.index_url}; {report.at_latest} at latest"]
    if report.findings:
        lines.append(f"FINDINGS ({len(report.findings)}):")
        for f in report.findings:
            parts = [f["id"] + (f" ({', '.join(f['aliases'])})" if f["aliases"] else "")]
            if f["kind"] != "yanked":
                parts.append(f"fixed in: {', '.join(f['fixed_in']) or 'no release'}")
            parts += [x for x in (f["summary"], f["link"]) if x]
            lines.append(f"  {f['package']} {f['version']}: " + "; ".join(parts))
    if report.warnings:
        lines.append(f"WARNINGS ({len(report.warnings)}):")
        lines.extend(f"  {w}" for w in report.warnings)
    lines.extend(f"ERROR: {e}" for e in report.errors)
    outcome = {0: "clean", 1: "FAIL (known problem)", 2: "audit could not run"}[report.exit_code]
    lines.append(f"result: {outcome}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, dists: Iterable[Any] | None = None, backoff: float = 0.5) -> int:
    """Run pip-audit if it can work, else the PyPI-JSON fallback; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m tools.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per index request (default 30)")
    parser.add_argument("--retries", type=int, default=3, help="attempts per project (default 3)")
    parser.add_argument("--no-pip-audit", action="store_true", help="skip the pip-audit probe; fallback only")
    args = parser.parse_args(argv)
    if args.no_pip_audit:
        service, reason = None, "--no-pip-audit given"
    else:
        service, reason = pip_audit_service()
    if service is not None:
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--strict",
            "--progress-spinner",
            "off",
            "--skip-editable",
        ]
        return subprocess.call([*command, *service, *(["--format", "json"] if args.json else [])])
    print(f"audit: falling back to PyPI project JSON: {reason}", file=sys.stderr, flush=True)
    index_url = os.environ.get("WARROOM_AUDIT_INDEX_URL") or DEFAULT_INDEX_URL
    report = audit(list_installed(dists), index_url, args.timeout, args.retries, backoff)
    report.fallback_reason = reason
    if args.json:
        print(json.dumps({**asdict(report), "exit_code": report.exit_code}, indent=2))
    else:
        print(render(report))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
