"""The `warroom` command as a person runs it: serve, demo, db, policy, and configuration mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed import SlackRequester
from tests.served import BOT_TOKEN, SIGNING_SECRET, ServedBot
from tests.served import clean_env as _clean_env
from tests.served import free_port as _free_port


def _warroom(
    *args: str, cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[SlackRequester, FakeSlack, str]]:
    """`warroom serve` in a subprocess with real-looking credentials, talking to a fake Slack."""
    with FakeSlack() as fake:
        bot = ServedBot(fake, f"sqlite:///{tmp_path / 'serve.db'}", tmp_path).start()
        try:
            yield bot.slack, fake, bot.base
        finally:
            _code, output = bot.stop()
            assert BOT_TOKEN not in output and SIGNING_SECRET not in output


def test_serve_answers_signed_requests_over_http(served: tuple[SlackRequester, FakeSlack, str]) -> None:
    slack, fake, base = served
    with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
        assert json.loads(response.read()) == {"ok": True, "database": "ok"}
    reply = slack.slash_command("help", user_id="U0BEN", channel_id="C0SUPPORT")
    assert reply.status == 200 and "/escalate list" in reply.body
    assert slack.slash_command("help", user_id="U0BEN", channel_id="C0SUPPORT", tamper=True).status == 401
    opened = slack.slash_command("Acme Corp: SSO login loop", user_id="U0BEN", channel_id="C0SUPPORT")
    assert opened.status == 200
    deadline = time.monotonic() + 10
    while not fake.calls_to("views.open") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.calls_to("views.open"), "the intake modal opened through the fake Slack"


def test_run_without_tokens_plays_the_sandbox_and_says_so(tmp_path: Path) -> None:
    result = _warroom("serve", cwd=tmp_path, env=_clean_env())
    assert result.returncode == 0, result.stderr
    assert "running the built-in sandbox" in result.stdout
    assert "created the channel #esc-" in result.stdout and "pinned the card" in result.stdout
    assert "Okafor Analytics" in result.stdout and "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PORT", "abc", "PORT: "),
        ("SLACK_BOT_TOKEN", "not-a-token", "SLACK_BOT_TOKEN: must be a bot token starting with xoxb-"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL: is not a database URL"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: must be an http(s) URL"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_it(
    tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    result = _warroom("serve", cwd=tmp_path, env=_clean_env(**{variable: value}))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    if "TOKEN" in variable:
        assert value not in result.stderr, "a secret's value is never echoed"


def test_dotenv_is_read_from_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=not-a-port\n")
    result = _warroom("serve", cwd=tmp_path, env=_clean_env())
    assert result.returncode == 2 and "PORT: " in result.stderr


def test_policy_check_names_the_key_and_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("severities:\n  SEV-1:\n    internal_update: 15 minutes\n")
    result = _warroom("policy", "check", str(bad), cwd=tmp_path, env=_clean_env())
    assert result.returncode == 2
    assert "severities.SEV-1.internal_update" in result.stderr and "15 minutes" in result.stderr

    good = tmp_path / "good.yaml"
    good.write_text("severities:\n  SEV-1:\n    internal_update: 15m\n")
    assert _warroom("policy", "check", str(good), cwd=tmp_path, env=_clean_env()).returncode == 0
    shown = _warroom("policy", "show", cwd=tmp_path, env=_clean_env(WARROOM_POLICY=str(good)))
    assert "internal_update: 15m" in shown.stdout


def test_db_upgrade_brings_a_new_database_to_the_newest_schema(tmp_path: Path) -> None:
    env = _clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    before = _warroom("db", "current", cwd=tmp_path, env=env)
    assert "database schema: none" in before.stdout
    upgraded = _warroom("db", "upgrade", cwd=tmp_path, env=env)
    assert upgraded.returncode == 0 and "(newest)" in upgraded.stdout
    assert "run `warroom db upgrade`" not in _warroom("db", "current", cwd=tmp_path, env=env).stdout


def test_an_app_token_selects_socket_mode(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        env = _clean_env(
            SLACK_BOT_TOKEN="xoxb-1-serve-test",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_APP_TOKEN="xapp-1-socket-test",
            SLACK_API_URL=fake.api_url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'socket.db'}",
            PORT=str(_free_port()),
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not fake.calls_to("apps.connections.open") and time.monotonic() < deadline:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.1)
            assert fake.calls_to("apps.connections.open"), "serve asked Slack for a Socket Mode connection"
            with pytest.raises(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{env['PORT']}/healthz", timeout=1)
        finally:
            process.terminate()
            output = process.communicate(timeout=10)[0]
        assert "xapp-1-socket-test" not in output and "xoxb-1-serve-test" not in output
