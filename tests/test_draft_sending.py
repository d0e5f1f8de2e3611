"""One click from sent (issue 12): *Open in email* carries the subject and body within a button's limits,
*Post to #ext-…* posts only after a person confirms it, once, and records who sent it; a past-due clock
gives a future promise in the contact's zone."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.drafting.sending import URL_MAX, email_link
from bot.escalations.changes import Actor
from bot.escalations.record_core import InvalidChange, NotAllowed
from bot.sandbox.block_kit_rules import validate_message_blocks
from bot.sandbox.stack import Sandbox, wait_until
from storage.models import Customer, Draft, Escalation
from tests.room_steps import (
    SEV3_TEXT,
    STRANGER,
    clock_fixture,
    events,
    open_escalation,
    row,
    sev1_room,
    timed_fixture,
)

__all__ = ["clock_fixture", "timed_fixture"]


def _write(sandbox: Sandbox, esc: Escalation, kind: str = "update") -> Any:
    view = sandbox.warroom.drafts.write(
        sandbox.warroom.changes.get(esc.id), kind, "U0ANA", channel_id=esc.room_channel_id, thread_ts=None
    )
    assert view is not None
    return view


def _message(sandbox: Sandbox, esc: Escalation, draft_id: int) -> dict[str, Any]:
    with sandbox.warroom.db.session() as session:
        ts = session.get(Draft, draft_id).message_ts
    return next(m for m in sandbox.fake.messages(esc.room_channel_id) if m["ts"] == ts)


def _buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        element["text"]["text"]: element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def _shared_channel(sandbox: Sandbox, esc: Escalation) -> str:
    """The account directory gives Okafor Analytics a Slack Connect channel warroom is in."""
    channel = sandbox.fake.add_channel("ext-okafor-analytics")
    with sandbox.warroom.db.session() as session:
        session.get(Escalation, esc.id).customer.slack_connect_channel = channel
    return channel


# --- Open in email ----------------------------------------------------------------------------------------


def test_open_in_email_carries_the_subject_and_body_within_a_buttons_limits(timed, clock) -> None:
    esc = sev1_room(timed, contact_name="David Okafor", contact_email="david@okafor.io")
    view = _write(timed, esc)
    message = _message(timed, esc, view.draft_id)
    link = _buttons(message)["Open in email"]["url"]
    assert len(link) <= URL_MAX and validate_message_blocks(message["blocks"]) == []
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and parts.path == "david@okafor.io"
    query = parse_qs(parts.query)
    assert query["subject"] == [view.draft.subject] and len(view.draft.subject) < 78
    assert query["body"] == [view.draft.body.replace("\n", "\r\n")]  # mail programs want CRLF
    assert "Hi David," in query["body"][0]


def test_a_draft_too_long_for_a_link_is_offered_as_an_email_to_copy(timed, clock) -> None:
    assert email_link("a@b.co", "Subject", "word " * 700) is None  # ~3,500 characters once encoded
    esc = sev1_room(timed)
    written = _write(timed, esc, "response").draft_id
    with timed.warroom.db.session() as session:
        draft = session.get(Draft, written)
        draft.body += "\n\n" + "More context for the customer. " * 80
        draft_id = draft.id
    view = timed.warroom.drafts.refresh(draft_id)
    message = _message(timed, esc, draft_id)
    assert view.email_link is None and "Copy as email" in _buttons(message)
    timed.slack.button(
        "draft_copy_email", str(draft_id), user_id="U0ANA", channel_id=esc.room_channel_id, message_ts="1"
    )
    [copy] = wait_until(lambda: [e for e in timed.fake.ephemerals if e.get("user") == "U0ANA"])
    text = json.dumps(copy["blocks"], ensure_ascii=False)
    assert "*Subject:*" in text and "More context for the customer." in text and "```" in text
    assert validate_message_blocks(copy["blocks"]) == []


# --- Post to #ext-… ----------------------------------------------------------------------------------------


def _open_post_form(sandbox: Sandbox, esc: Escalation, draft_id: int, user: str = "U0ANA") -> dict[str, Any]:
    before = len(sandbox.fake.calls_to("views.open"))
    sandbox.slack.button(
        "draft_post_to_customer", str(draft_id), user_id=user, channel_id=esc.room_channel_id, message_ts="1"
    )
    wait_until(lambda: len(sandbox.fake.calls_to("views.open")) > before)
    return next(v for v in sandbox.fake.views.values() if v.get("callback_id") == "draft_post_modal")


def test_post_to_the_customer_channel_posts_only_on_the_click_and_records_who_sent_it(timed, clock) -> None:
    esc = sev1_room(timed, contact_name="David Okafor")
    shared = _shared_channel(timed, esc)
    view = _write(timed, esc)
    assert _buttons(_message(timed, esc, view.draft_id))["Post to #ext-okafor-analytics"]
    assert timed.fake.messages(shared) == [], "a draft is never sent by itself"

    form = _open_post_form(timed, esc, view.draft_id)
    assert timed.fake.messages(shared) == [], "opening the form posts nothing"
    reply = timed.slack.view_submission(form, {}, user_id="U0ANA")  # as drafted: gaps like [your name]
    assert "Fill in [" in reply.body and timed.fake.messages(shared) == []

    final = view.draft.body.replace("[your name]", "Ana Lima").replace("[direct line]", "+1 555 0100")
    final = final.replace(
        "[what we've done since the last update, in the customer's terms]", "Restored 4 months"
    )
    final += "\n\n<!channel> <https://evil.example|click> & more"
    for _ in range(2):  # a double click on the form's button
        timed.slack.view_submission(form, {"text": final}, user_id="U0ANA")
    [posted] = wait_until(lambda: timed.fake.messages(shared))
    wait_until(lambda: row(timed, esc.id).last_customer_update_by == "U0ANA")
    text = json.dumps(posted["blocks"], ensure_ascii=False)
    assert "Hi David," in text and "Ana Lima" in text and "Sent by" in text
    assert (
        "&lt;!channel&gt;" in text
        and "&lt;https://evil.example|click&gt;" in text
        and "<!channel>" not in text
    )
    [update] = events(timed, esc.id, "customer_update")
    assert update.actor_user_id == "U0ANA" and update.data["channel"] == "slack_connect"
    wait_until(lambda: "Posted to <#" in json.dumps(_message(timed, esc, view.draft_id)["blocks"]))
    assert len(timed.fake.messages(shared)) == 1


def test_a_post_whose_answer_was_lost_is_found_not_repeated(timed, clock) -> None:
    esc = sev1_room(timed)
    shared = _shared_channel(timed, esc)
    view = _write(timed, esc)
    text = "Hi Okafor Analytics team, here is where things stand. Next update by 4:00 PM UTC today. Ana"
    timed.fake.drop_after_acting("chat.postMessage")
    try:
        timed.warroom.drafts.sending.post_to_customer(view.draft_id, Actor("U0ANA"), text)
    except Exception:  # the answer was lost after Slack posted; a retry must look first
        clock.advance(minutes=3)
        timed.warroom.drafts.sending.post_to_customer(view.draft_id, Actor("U0ANA"), text)
    assert len(timed.fake.messages(shared)) == 1
    assert len(events(timed, esc.id, "customer_update")) == 1


def test_no_post_button_for_a_private_escalation_and_a_forged_click_is_refused(timed, clock) -> None:
    esc = sev1_room(timed, escalation_type="security")
    assert row(timed, esc.id).is_private
    shared = _shared_channel(timed, esc)
    view = _write(timed, esc)
    assert not any(label.startswith("Post to") for label in _buttons(_message(timed, esc, view.draft_id)))
    timed.slack.button(
        "draft_post_to_customer",
        str(view.draft_id),
        user_id="U0ANA",
        channel_id=esc.room_channel_id,
        message_ts="1",
    )
    [refusal] = wait_until(lambda: [e for e in timed.fake.ephemerals if e.get("user") == "U0ANA"])
    assert "no Slack Connect channel" in json.dumps(refusal)
    assert timed.fake.messages(shared) == []
    assert not [v for v in timed.fake.views.values() if v.get("callback_id") == "draft_post_modal"]


def test_someone_outside_a_private_room_cannot_post_its_draft_nor_learn_it_exists(timed, clock) -> None:
    esc = sev1_room(timed, escalation_type="security")
    timed.fake.add_user(STRANGER, "eve", "Eve Stranger")
    view = _write(timed, esc)
    with pytest.raises(NotAllowed, match="can't find"):
        timed.warroom.drafts.sending.post_to_customer(view.draft_id, Actor(STRANGER), "Hello")
    with pytest.raises(NotAllowed, match="can't find"):
        timed.warroom.drafts.sending.letter(view.draft_id, Actor(STRANGER))
    assert not events(timed, esc.id, "customer_update")


# --- Times --------------------------------------------------------------------------------------------------


def test_a_past_due_clock_gives_a_future_promise_in_the_contacts_zone(timed, clock) -> None:
    esc = sev1_room(timed, contact_name="Dr. Amara Nwosu", contact_timezone="Asia/Tokyo")
    due = row(timed, esc.id).customer_update_due_at
    clock.advance(
        seconds=(due - clock.now + timedelta(minutes=47)).total_seconds()
    )  # the customer update is 47 minutes late
    view = _write(timed, esc)
    with timed.warroom.db.session() as session:
        promised = session.get(Draft, view.draft_id).promised_at
    assert promised > clock.now + timedelta(minutes=15) and promised.minute % 15 == 0
    assert "Tokyo time" in view.draft.body and "Hi Dr. Nwosu," in view.draft.body
    assert "offers a new time" in (view.note or "")
    assert not [f for f in view.findings if f.rule == "promised-time"]


# --- The customer's channel is theirs --------------------------------------------------------------------


@pytest.mark.parametrize("known_by", ["directory", "slack"])
def test_escalate_typed_in_a_customers_channel_never_puts_the_card_there(timed, clock, known_by) -> None:
    shared = timed.fake.add_channel("ext-initech", members=["U0BEN", "U0ANA"], ext_shared=known_by == "slack")
    if known_by == "directory":
        with timed.warroom.db.session() as session:
            session.add(Customer(name="Initech", name_key="initech", slack_connect_channel=shared))
    esc = open_escalation(
        timed, SEV3_TEXT, {"customer": "Initech", "ic": "U0ANA", "severity": "SEV-3"}, channel=shared
    )
    assert esc.card_channel_id and esc.card_channel_id != shared
    assert timed.fake.messages(shared) == [], "no card, ARR or flags where the customer reads"
    # A mention there is outside any escalation: the customer cannot ask for drafts or send them.
    ts = timed.fake.add_message(shared, "U0BEN", "<@U0WARROOM> draft update")
    timed.slack.mention("draft update", user_id="U0BEN", channel_id=shared, ts=ts)
    wait_until(lambda: len(timed.fake.messages(shared)) > 1)
    assert "I draft inside an escalation" in timed.fake.messages(shared)[-1]["text"]


# --- What the attack found ---------------------------------------------------------------------------------

FILLED = "Hi Okafor Analytics team, here is where things stand. Ana Lima"


def test_a_lost_post_is_not_repeated_while_slack_will_not_show_whether_it_went_out(timed, clock) -> None:
    esc = sev1_room(timed)
    shared = _shared_channel(timed, esc)
    view = _write(timed, esc)
    timed.fake.drop_after_acting("chat.postMessage")
    # Slack will not show the channel twice: right after the lost answer, and on the retry.
    timed.fake.fail_next("conversations.history", error="internal_error", times=2)
    sending = timed.warroom.drafts.sending
    with pytest.raises(InvalidChange, match="did not confirm whether it went out"):
        sending.post_to_customer(view.draft_id, Actor("U0ANA"), FILLED)
    clock.advance(minutes=1)
    with pytest.raises(InvalidChange, match=r"being posted to .* already"):  # the claim still holds
        sending.post_to_customer(view.draft_id, Actor("U0ANA"), FILLED)
    clock.advance(minutes=2)
    with pytest.raises(InvalidChange, match="could not check"):
        sending.post_to_customer(view.draft_id, Actor("U0ANA"), FILLED)
    clock.advance(minutes=3)  # Slack shows the channel again: the earlier post is found, not repeated
    posting = sending.post_to_customer(view.draft_id, Actor("U0ANA"), FILLED + " (edited)")
    assert posting.earlier and len(events(timed, esc.id, "customer_update")) == 1
    assert len(timed.fake.messages(shared)) == 1, "not knowing is never taken as not posted"


def test_a_closed_escalation_is_not_posted_to_the_customer(timed, clock) -> None:
    esc = sev1_room(timed)
    shared = _shared_channel(timed, esc)
    view = _write(timed, esc, "resolution")
    timed.warroom.changes.change(esc.id, Actor("U0ANA"), lambda record: record.close("duplicate of another"))
    with pytest.raises(InvalidChange, match="is closed"):
        timed.warroom.drafts.sending.post_to_customer(view.draft_id, Actor("U0ANA"), FILLED)
    assert timed.fake.messages(shared) == []


def test_the_form_refuses_a_promised_time_already_past_and_a_paste_too_long(timed, clock) -> None:
    esc = sev1_room(timed, contact_timezone="Africa/Lagos")
    view = _write(timed, esc)
    sending = timed.warroom.drafts.sending
    clock.advance(hours=3)  # the draft's "next update by …" is now behind us
    problem = sending.post_problems(view.draft_id, view.draft.body.replace("[", "(").replace("]", ")"))
    assert problem and "has already passed" in problem and "already behind us" in problem
    assert "under 3,000 characters" in (sending.post_problems(view.draft_id, "x" * 40_000) or "")


def test_a_time_the_person_changed_is_not_held_as_the_drafts_promise(timed, clock) -> None:
    esc = sev1_room(timed, contact_timezone="Africa/Lagos")
    _shared_channel(timed, esc)
    view = _write(timed, esc)
    with timed.warroom.db.session() as session:
        said = session.get(Draft, view.draft_id).promised_text
    assert said and said in view.draft.body
    edited = view.draft.body.replace(said, "9:00 AM Lagos time").replace("[", "(").replace("]", ")")
    timed.warroom.drafts.sending.post_to_customer(view.draft_id, Actor("U0ANA"), edited)
    sent = row(timed, esc.id)
    assert sent.customer_update_promised_at is None, "the clock follows the cadence, not a time never sent"
    assert sent.customer_update_due_at == sent.last_customer_update_at + timedelta(hours=2)


def test_when_posting_fails_the_confirmed_text_comes_back_to_the_person(timed, clock) -> None:
    esc = sev1_room(timed)
    _shared_channel(timed, esc)
    view = _write(timed, esc)
    form = _open_post_form(timed, esc, view.draft_id)
    timed.fake.fail_next("chat.postMessage", error="fatal_error")
    timed.slack.view_submission(form, {"text": FILLED + " — edited by hand"}, user_id="U0ANA")

    def copies() -> list[dict[str, Any]]:
        dm = timed.fake.dm_channel("U0ANA")
        said = timed.fake.messages(dm) if dm else []
        return [m for m in said if "edited by hand" in json.dumps(m.get("blocks"))]

    dm = wait_until(copies)
    assert dm and "as you confirmed it" in dm[0]["text"]


def test_a_summary_quotes_the_room_as_people_read_it_and_leaves_out_requests_to_the_bot(timed, clock) -> None:
    esc = sev1_room(timed)
    room = esc.room_channel_id
    timed.fake.add_message(
        room, "U0ANA", "<@U0WARROOM> FYI root cause is the paging job, see <#C0SUPPORT|support> <!here>"
    )
    timed.fake.add_message(room, "U0BEN", "<@U0WARROOM> draft brief security")
    body = _write(timed, esc, "summary").draft.body
    assert "FYI root cause is the paging job, see #support @here" in body
    assert "<!here>" not in body and "<#C0SUPPORT" not in body and "draft brief security" not in body


def test_escalating_a_customers_message_in_their_channel_says_nothing_there(timed, clock) -> None:
    shared = timed.fake.add_channel("ext-globex", members=["U0BEN", "U0DAVE"], ext_shared=True)
    text = "Globex: 1,200 users locked out after the SSO change"
    ts = timed.fake.add_message(shared, "U0DAVE", text)
    timed.slack.message_shortcut(
        "escalate_message", {"ts": ts, "text": text, "user": "U0DAVE"}, user_id="U0BEN", channel_id=shared
    )
    view = wait_until(lambda: timed.fake.calls_to("views.open"))[-1].params["view"]
    timed.slack.view_submission(view, {"severity": "SEV-1", "ic": "U0ANA"}, user_id="U0BEN")
    wait_until(lambda: [e for e in timed.fake.ephemerals if "is open" in e.get("text", "")])
    assert (
        timed.fake.thread(shared, ts) == [timed.fake.messages(shared)[0]]
        or not timed.fake.thread(shared, ts)[1:]
    )
    assert len(timed.fake.messages(shared)) == 1, "no link back, no card: the room's name stays inside"


def test_escalate_typed_in_a_dm_with_warroom_puts_the_card_where_the_team_works(timed, clock) -> None:
    dm = timed.fake.dm_channel("U0BEN") or "D0BENDM"
    esc = open_escalation(
        timed, SEV3_TEXT, {"customer": "Initech", "ic": "U0ANA", "severity": "SEV-3"}, channel=dm
    )
    assert esc.card_channel_id == "C0ESCALATIONS", "a card in one person's DM would be worked by nobody"
