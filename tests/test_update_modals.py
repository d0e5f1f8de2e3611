"""The "Post update" and "Customer updated" modals: valid for Slack with any customer name, the status
select starts where the escalation is, and what a person submits is read back exactly."""

from datetime import UTC, datetime, timedelta

import pytest

from blocks import limits
from blocks.rooms.update_modals import (
    CUSTOMER_UPDATE_MODAL,
    POST_UPDATE_MODAL,
    UPDATE_MAX,
    SubmittedUpdate,
    build_customer_update_modal,
    build_post_update_modal,
    read_update,
)
from bot.escalations.read_model import EscalationSnapshot
from bot.sandbox.block_kit_rules import validate_view
from bot.sandbox.signed import fill_view_state
from tests.factories import make_snapshot

NEXT = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)
NAME_150 = ("Ünïcødé Grüße & Söhne 株式会社 🚀 " * 6)[:150]
NAME_200 = ("Okafor <Analytics> & Partners " * 8)[:200]


def make_esc(**changes: object) -> EscalationSnapshot:
    defaults: dict[str, object] = {}
    return make_snapshot(**(defaults | changes))


def submitted(view: dict, values: dict) -> dict:
    """The view as Slack sends it back on submission."""
    return {**view, "state": {"values": fill_view_state(view, values)}}


def block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


MODALS = [
    pytest.param(lambda esc: build_post_update_modal(esc), id="post_update"),
    pytest.param(lambda esc: build_customer_update_modal(esc, None), id="customer_update_no_suggestion"),
    pytest.param(lambda esc: build_customer_update_modal(esc, NEXT), id="customer_update_suggested"),
]


@pytest.mark.parametrize("build", MODALS)
@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"customer": NAME_150},
        {"customer": NAME_200, "public_id": "ESC-2026-99999", "severity": "SEV-9"},
        {"customer": "x" * 2_100},  # far past any intake limit: the label is cut, not rejected
        {"status": "closed"},
    ],
    ids=["plain", "150-char unicode", "200-char with markup", "2100-char", "closed"],
)
def test_modals_are_valid_views(build, changes):
    view = build(make_esc(**changes))
    assert validate_view(view) == []
    assert len(view["title"]["text"]) <= limits.VIEW_TITLE
    for b in view["blocks"]:
        if b["type"] == "input":
            assert len(b["label"]["text"]) <= limits.INPUT_LABEL


def test_post_update_modal_shape():
    view = build_post_update_modal(make_esc())
    assert view["callback_id"] == POST_UPDATE_MODAL
    assert view["private_metadata"] == "7"
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Post update",
        "Post",
        "Cancel",
    )
    assert block(view, "which")["elements"][0]["text"] == "🔴 SEV-1 *ESC-2026-007* · Okafor Analytics"
    update = block(view, "update")
    assert update["element"]["max_length"] == UPDATE_MAX
    assert update["element"]["multiline"] is True
    assert update.get("optional") is not True  # an update needs words
    assert block(view, "status")["optional"] is True


def test_customer_update_modal_shape():
    view = build_customer_update_modal(make_esc(), NEXT)
    assert view["callback_id"] == CUSTOMER_UPDATE_MODAL
    assert view["private_metadata"] == "7"
    assert view["title"]["text"] == "Customer updated"
    assert block(view, "update")["label"]["text"] == "What did you tell Okafor Analytics?"
    assert block(view, "next_update")["optional"] is True
    assert block(view, "next_update")["element"] == {
        "type": "datetimepicker",
        "action_id": "value",
        "initial_date_time": int(NEXT.timestamp()),
    }


def test_customer_update_label_names_a_150_char_customer_in_full():
    view = build_customer_update_modal(make_esc(customer=NAME_150), None)
    assert block(view, "update")["label"]["text"] == f"What did you tell {NAME_150}?"


def test_customer_name_in_the_context_line_is_escaped():
    view = build_customer_update_modal(make_esc(customer="A&B <!channel>"), None)
    context = block(view, "which")["elements"][0]["text"]
    assert "A&amp;B &lt;!channel&gt;" in context
    assert "<!channel>" not in context


def test_without_a_suggestion_the_picker_starts_empty():
    picker = block(build_customer_update_modal(make_esc(), None), "next_update")["element"]
    assert "initial_date_time" not in picker


@pytest.mark.parametrize(
    ("status", "initial"),
    [
        ("investigating", "Investigating"),
        ("identified", "Identified"),
        ("monitoring", "Monitoring"),
        ("resolved", None),
        ("closed", None),
    ],
)
def test_status_select_starts_at_the_current_status(status, initial):
    """Resolving says what fixed it (its own modal) and closing needs the customer: neither is here."""
    element = block(build_post_update_modal(make_esc(status=status)), "status")["element"]
    assert [o["value"] for o in element["options"]] == ["investigating", "identified", "monitoring"]
    chosen = element.get("initial_option")
    assert (chosen["text"]["text"] if chosen else None) == initial
    if chosen:
        assert chosen["value"] == status
        assert chosen in element["options"]


# ---------------------------------------------------------------------------------------------------------
# Reading the submission back
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "values", "expected"),
    [
        (
            "investigating",
            {"update": "  Found the cause: a bad index.  "},
            SubmittedUpdate(7, "Found the cause: a bad index.", "investigating", None),
        ),
        (
            "investigating",
            {"update": "Fix deployed", "status": "monitoring"},
            SubmittedUpdate(7, "Fix deployed", "monitoring", None),
        ),
        ("closed", {"update": "Reopened?"}, SubmittedUpdate(7, "Reopened?", None, None)),
        ("identified", {"update": None, "status": None}, SubmittedUpdate(7, "", None, None)),
        (
            "identified",
            {"update": "Ünïcødé 株式会社 🚀 & <b>"},
            SubmittedUpdate(7, "Ünïcødé 株式会社 🚀 & <b>", "identified", None),
        ),
    ],
)
def test_read_post_update(status, values, expected):
    view = build_post_update_modal(make_esc(status=status))
    assert read_update(submitted(view, values)) == expected


@pytest.mark.parametrize(
    ("suggested", "values", "promised"),
    [
        (None, {"update": "Sent the workaround", "next_update": int(NEXT.timestamp())}, NEXT),
        (NEXT, {"update": "Sent the workaround"}, NEXT),  # the suggestion, left as it was
        (
            NEXT,
            {"update": "Sent the workaround", "next_update": 1_772_500_000},
            datetime.fromtimestamp(1_772_500_000, UTC),
        ),
        (NEXT, {"update": "Sent the workaround", "next_update": None}, None),  # cleared: no promise
        (None, {"update": "Sent the workaround"}, None),
    ],
    ids=["picked", "suggestion kept", "changed", "cleared", "never set"],
)
def test_read_customer_update_round_trips_the_promise(suggested, values, promised):
    view = build_customer_update_modal(make_esc(id=42), suggested)
    result = read_update(submitted(view, values))
    assert result == SubmittedUpdate(42, "Sent the workaround", None, promised)
    if promised is not None:
        assert result.promised_at.tzinfo is not None
        assert result.promised_at.utcoffset() == timedelta(0)


def test_read_customer_update_accepts_the_epoch_as_a_string():
    view = build_customer_update_modal(make_esc(), None)
    result = read_update(
        submitted(view, {"update": "Called them", "next_update": str(int(NEXT.timestamp()))})
    )
    assert result.promised_at == NEXT
