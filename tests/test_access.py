"""The access rule (`bot.escalations.access.decide`), table-driven: who may see and act on what."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.escalations.access import Permission, Viewer, decide, not_found
from bot.escalations.read_model import EscalationSnapshot
from tests.factories import make_snapshot

IC, CALLER = "U0IC", "U0CALLER"
ROOM = "C0ROOM"
CUSTOMER = "Okafor Analytics"
TITLE = "Migration corrupted 6 months of historical reports"

VIEWERS = {
    "stranger": Viewer("U0STRANGER"),
    "room member": Viewer("U0MEMBER", in_room=True),
    "IC": Viewer(IC),
    "caller": Viewer(CALLER),
    "manager": Viewer("U0MANAGER", is_manager=True),
}
# Were anyone in the room able to make themselves IC, the other owner decisions would mean nothing.
OWNER_DECISIONS = (Permission.DOWNGRADE, Permission.HAND_OVER, Permission.CLOSE, Permission.REOPEN)
ALL = tuple(Permission)


def _allowed(private: bool, who: str, permission: Permission) -> bool:
    """The rule as the module docstring states it, written out independently of the code."""
    if who in ("IC", "caller", "manager"):
        return True
    if who == "room member":
        return permission not in OWNER_DECISIONS
    # a stranger: a public escalation is theirs to see, nothing more; a private one does not exist
    return not private and permission is Permission.VIEW


TABLE = [
    pytest.param(
        private, who, permission, _allowed(private, who, permission), id=f"{kind}-{who}-{permission}"
    )
    for private, kind in ((False, "public"), (True, "private"))
    for who in VIEWERS
    for permission in ALL
]


def _escalation(private: bool) -> EscalationSnapshot:
    return make_snapshot(
        is_private=private,
        escalation_type="security" if private else "technical",
        customer=CUSTOMER,
        title=TITLE,
        ic_user_id=IC,
        caller_user_id=CALLER,
        room_channel_id=ROOM,
    )


def test_the_table_covers_every_viewer_kind_and_permission() -> None:
    assert {p.values[1] for p in TABLE} == {"stranger", "room member", "IC", "caller", "manager"}
    assert {p.values[2] for p in TABLE} == set(Permission)
    assert len(TABLE) == 2 * 5 * 6


@pytest.mark.parametrize(("private", "who", "permission", "allowed"), TABLE)
def test_decide(private: bool, who: str, permission: Permission, allowed: bool) -> None:
    esc = _escalation(private)
    decision = decide(VIEWERS[who], esc, permission)

    assert decision.allowed is allowed
    if allowed:
        assert decision.reason == "" and not decision.hidden
        return
    if private and who == "stranger":
        # For everyone outside, a private escalation does not exist: no name, no title, no IC, no room.
        assert decision.hidden
        assert decision.reason == not_found(esc.public_id)
        for secret in (CUSTOMER, "Okafor", TITLE, "corrupted", f"<@{IC}>", f"<@{CALLER}>", ROOM):
            assert secret not in decision.reason
        return
    # Every other refusal says who can.
    assert not decision.hidden
    assert f"<@{IC}>" in decision.reason
    assert esc.public_id in decision.reason
    if permission in OWNER_DECISIONS:
        assert f"<@{CALLER}>" in decision.reason and "manager" in decision.reason
        assert permission.value.replace("_", " ") in decision.reason  # "can downgrade", "can hand over"…
    else:
        assert f"<#{ROOM}>" in decision.reason and "manager" in decision.reason


@pytest.mark.parametrize("permission", ALL)
def test_a_private_escalation_hidden_from_a_stranger_looks_like_a_missing_one(permission: Permission) -> None:
    esc = _escalation(private=True)
    hidden = decide(VIEWERS["stranger"], esc, permission)
    assert (
        hidden.reason
        == not_found(esc.public_id)
        == f"I can't find *{esc.public_id}*. Check the id with `/escalate list`."
    )


def test_a_change_refused_on_a_thread_card_points_at_the_thread() -> None:
    esc = make_snapshot(
        severity="SEV-3", room_kind="thread", card_channel_id="C0SUPPORT", card_ts="1.000100", ic_user_id=IC
    )
    decision = decide(VIEWERS["stranger"], esc, Permission.CHANGE)
    assert not decision.allowed and not decision.hidden
    assert "the card's thread in <#C0SUPPORT>" in decision.reason and f"<@{IC}>" in decision.reason


def test_an_ic_who_raised_it_is_named_once() -> None:
    esc = replace(_escalation(private=False), caller_user_id=IC)
    decision = decide(VIEWERS["room member"], esc, Permission.DOWNGRADE)
    assert not decision.allowed
    assert decision.reason.count(f"<@{IC}>") == 1 and "who raised it" not in decision.reason


def test_a_manager_who_is_also_in_the_room_keeps_every_right() -> None:
    esc = _escalation(private=True)
    both = Viewer("U0MANAGER", is_manager=True, in_room=True)
    assert all(decide(both, esc, permission).allowed for permission in ALL)
