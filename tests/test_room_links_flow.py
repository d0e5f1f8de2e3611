"""Where a war room points back to, and who it starts with, end to end on both databases: a plain
`/escalate` typed in a channel bookmarks that channel; one raised from a message bookmarks the message;
one typed in a DM bookmarks nothing (nobody else could open it); a SEV-3 moved up bookmarks its card's
thread; the account directory's CSM is the CSM from the start, invited and on the card."""

from __future__ import annotations

from pathlib import Path

from bot.accounts.directory import read_directory
from bot.accounts.service import AccountDirectory
from bot.sandbox.fake_workspace import TEAM_URL
from bot.sandbox.stack import Sandbox, wait_until
from tests.flows import SEV1_TEXT, escalate, room_ready
from tests.room_steps import card, open_escalation, row, run, sev1_room, sev3_card


def _raised_at(sandbox: Sandbox, room: str) -> list[str]:
    return [b["link"] for b in sandbox.fake.bookmarks(room) if b["title"] == "Where it was raised"]


def test_a_plain_escalate_in_a_channel_bookmarks_that_channel(sandbox: Sandbox) -> None:
    esc = sev1_room(sandbox)
    team = TEAM_URL if TEAM_URL.endswith("/") else TEAM_URL + "/"
    assert _raised_at(sandbox, esc.room_channel_id or "") == [f"{team}archives/C0SUPPORT"]


def test_a_plain_escalate_in_a_dm_bookmarks_nothing(sandbox: Sandbox) -> None:
    escalate(sandbox, SEV1_TEXT, {"customer": "Okafor Analytics", "ic": "U0ANA"}, channel="D0BENDM")
    room = room_ready(sandbox)
    assert sandbox.fake.bookmarks(room["id"]) == []


def test_a_sev3_moved_up_bookmarks_its_card_thread(sandbox: Sandbox) -> None:
    esc = sev3_card(sandbox)
    run(
        sandbox,
        f"severity {esc.public_id} SEV-2 spreading to every school",
        channel="C0SUPPORT",
        until=lambda: row(sandbox, esc.id).provisioned_at and row(sandbox, esc.id).room_channel_id,
    )
    room = row(sandbox, esc.id).room_channel_id or ""
    [link] = wait_until(lambda: _raised_at(sandbox, room))
    assert "C0SUPPORT" in link and esc.card_ts and esc.card_ts.replace(".", "") in link


def test_the_directory_csm_is_the_csm_from_the_start(sandbox: Sandbox, tmp_path: Path) -> None:
    directory = tmp_path / "accounts.csv"
    directory.write_text(
        "name,aliases,tier,arr,csm,contact_name,contact_email,contact_timezone,slack_connect_channel\n"
        "Okafor Analytics,,enterprise,$180k,U0DAVE,David Okafor,david@okafor.io,Africa/Lagos,\n",
        encoding="utf-8",
    )
    AccountDirectory(sandbox.warroom.db).import_entries(read_directory(directory))
    text = "Email from David Okafor at Okafor Analytics: the migration corrupted 6 months of reports."
    esc = open_escalation(sandbox, text, {"ic": "U0ANA", "severity": "SEV-1"})
    room_ready(sandbox)
    assert esc.csm_user_id == "U0DAVE", "the form was prefilled from the directory"
    assert "U0DAVE" in sandbox.fake.members(esc.room_channel_id or "")
    roles = next(b for b in card(sandbox, esc) if b["block_id"] == "card_roles")["fields"]
    assert "*CSM*\n<@U0DAVE>" in [f["text"] for f in roles]
