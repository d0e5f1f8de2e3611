"""tools.audit against a loopback fake of PyPI's project JSON: never the network, strange environments."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest

from tools import audit


class FakeIndex(ThreadingHTTPServer):
    """`/pypi/<name>/json` from `projects`: a dict is JSON, an int that status, a list answers in turn."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.projects: dict[str, Any] = {}
        self.hits: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/pypi"


class _Handler(BaseHTTPRequestHandler):
    server: FakeIndex

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        parts = self.path.strip("/").split("/")
        answer: Any = 404
        if len(parts) == 3 and parts[0] == "pypi" and parts[2] == "json":
            answer = self.server.projects.get(parts[1], 404)
            if isinstance(answer, list):
                answer = answer.pop(0) if len(answer) > 1 else answer[0]
        body = json.dumps(answer).encode() if isinstance(answer, dict) else b"{}"
        self.send_response(200 if isinstance(answer, dict) else answer)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def index(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIndex]:
    server = FakeIndex()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("WARROOM_AUDIT_INDEX_URL", server.url)
    yield server
    server.shutdown()
    server.server_close()


def dist(name: Any, version: Any) -> SimpleNamespace:
    return SimpleNamespace(metadata={"Name": name}, version=version)


def project(latest: str, vulns: Sequence[dict[str, Any]] = (), yanked: dict[str, str] | None = None) -> dict:
    """A project JSON shaped like PyPI's (checked against pypi.org/pypi/pycrypto/json and requests)."""
    releases = {
        v: [{"filename": f"x-{v}.tar.gz", "yanked": False, "yanked_reason": None}] for v in ("0.9", latest)
    }
    for version, reason in (yanked or {}).items():
        releases[version] = [{"filename": f"x-{version}.whl", "yanked": True, "yanked_reason": reason}]
    return {"info": {"version": latest}, "vulnerabilities": list(vulns), "releases": releases}


def vuln(id: str, fixed_in: Sequence[str] = (), withdrawn: str | None = None) -> dict[str, Any]:
    return {
        "id": id,
        "aliases": [f"CVE-{id}"],
        "details": "Bad things.\nMore lines.",
        "summary": None,
        "fixed_in": list(fixed_in),
        "link": f"https://osv.dev/vulnerability/{id}",
        "source": "osv",
        "withdrawn": withdrawn,
    }


def run(capsys: pytest.CaptureFixture[str], dists: list[Any], *args: str) -> tuple[int, str]:
    code = audit.main(["--no-pip-audit", "--retries", "2", *args], dists=dists, backoff=0)
    return code, capsys.readouterr().out


def test_vulnerability_on_installed_latest_fails_naming_it(index, capsys):
    index.projects["foo-bar"] = project("2.0", [vuln("PYSEC-1", [])])
    code, out = run(capsys, [dist("Foo_Bar", "2.0"), dist("ok", "1")], "--timeout", "5")
    assert code == 1
    assert "foo-bar 2.0: PYSEC-1 (CVE-PYSEC-1); fixed in: no release; Bad things." in out
    assert "https://osv.dev/vulnerability/PYSEC-1" in out
    assert "ok: not on PyPI" in out


def test_withdrawn_vulnerability_does_not_fail(index, capsys):
    index.projects["foo"] = project("2.0", [vuln("PYSEC-2", withdrawn="2024-01-01T00:00:00Z")])
    code, out = run(capsys, [dist("foo", "2.0")])
    assert code == 0
    assert "PYSEC-2" not in out and "1 at latest" in out


def test_older_install_with_vuln_fixed_in_latest_is_not_auditable(index, capsys):
    index.projects["foo"] = project("2.0", [vuln("PYSEC-3", ["2.0"])])
    code, out = run(capsys, [dist("foo", "1.0")])
    assert code == 0
    assert "foo: not auditable here: installed 1.0, latest 2.0" in out
    assert "PYSEC-3" not in out


def test_older_install_with_vuln_unfixed_in_latest_fails(index, capsys):
    index.projects["a"] = project("2.0", [vuln("PYSEC-4", [])])
    index.projects["b"] = project("2.0", [vuln("PYSEC-5", ["3.0", "not a version"])])
    code, out = run(capsys, [dist("a", "1.0"), dist("b", "0.9")])
    assert code == 1
    assert "a 1.0: PYSEC-4" in out and "b 0.9: PYSEC-5" in out and "not auditable" not in out


def test_yanked_installed_release_fails_with_reason(index, capsys):
    index.projects["foo"] = project("2.0", yanked={"1.5.0": "Broke everything"})
    code, out = run(capsys, [dist("foo", "1.5")])  # 1.5 is 1.5.0 to pip
    assert code == 1
    assert "foo 1.5: yanked; Broke everything" in out


def test_not_on_pypi_is_a_warning(index, capsys):
    code, out = run(capsys, [dist("internal-thing", "0.1")])
    assert code == 0
    assert "WARNINGS (1):\n  internal-thing: not on PyPI" in out
    assert "audited 0 package(s)" in out


def test_index_down_exits_2(monkeypatch, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("WARROOM_AUDIT_INDEX_URL", f"http://127.0.0.1:{port}/pypi")
    code, out = run(capsys, [dist("foo", "1.0"), dist("bar", "2.0")], "--timeout", "2")
    assert code == 2
    assert "audit could not run: http://127.0.0.1" in out and out.endswith("result: audit could not run\n")


def test_one_project_failing_makes_the_run_incomplete_unless_something_was_found(index, capsys):
    index.projects["broken"] = 500
    index.projects["fine"] = project("1.0")
    code, out = run(capsys, [dist("broken", "1"), dist("fine", "1.0")])
    assert code == 2 and "1 project(s) not fetched" in out and "HTTP 500" in out
    assert index.hits.count("/pypi/broken/json") == 2  # retried
    index.projects["fine"] = project("1.0", [vuln("PYSEC-6")])
    assert run(capsys, [dist("broken", "1"), dist("fine", "1.0")])[0] == 1


def test_transient_errors_are_retried(index, capsys):
    index.projects["foo"] = [503, project("1.0")]
    code, out = run(capsys, [dist("foo", "1.0")])
    assert code == 0 and "1 at latest" in out


def test_json_output_parses(index, capsys):
    index.projects["foo"] = project("2.0", [vuln("PYSEC-7", [])], yanked={"2.0": ""})
    index.projects["old"] = project("3.0")
    code, out = run(capsys, [dist("foo", "2.0"), dist("old", "1.0"), dist("gone", "1")], "--json")
    report = json.loads(out)
    assert code == 1 == report["exit_code"]
    assert [(f["id"], f["kind"]) for f in report["findings"]] == [
        ("PYSEC-7", "vulnerability"),
        ("yanked", "yanked"),
    ]
    assert report["findings"][1]["summary"] == "no reason given"
    assert report["warnings"] == ["gone: not on PyPI", "old: not auditable here: installed 1.0, latest 3.0"]
    assert report["audited"] == 2 and report["at_latest"] == 1 and report["fallback_reason"]


def test_weird_environments_are_normalised_and_deduplicated():
    weird = [
        dist("Zope.Interface", " 5.0 "),
        dist("zope_interface", "4.0"),  # shadowed duplicate: the first one is what imports
        dist(None, "1.0"),  # broken metadata
        dist("nover", None),
        dist("WarRoom", "0.1.0"),  # the editable project itself
        dist("Mixed--Case__Name", "1!2.0.post1+local"),
    ]
    assert audit.list_installed(weird) == [
        audit.Installed("mixed-case-name", "1!2.0.post1+local"),
        audit.Installed("zope-interface", "5.0"),
    ]
    real = {i.name for i in audit.list_installed()}
    assert "packaging" in real and "warroom" not in real


def test_unparsable_versions_are_tolerated(index, capsys):
    index.projects["odd"] = project("nightly-2024", [vuln("PYSEC-8", ["also-odd"])])
    index.projects["odder"] = project("2.0", [vuln("PYSEC-9", ["2.0"])])
    code, out = run(capsys, [dist("odd", "nightly-2024"), dist("odder", "custom build")])
    assert code == 1 and "odd nightly-2024: PYSEC-8" in out
    assert "odder: not auditable here: installed custom build, latest 2.0" in out
