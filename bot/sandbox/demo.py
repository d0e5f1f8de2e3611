"""`warroom demo`: seed 000's escalation played through the real app against the sandbox."""

from __future__ import annotations

import json
import textwrap
from datetime import timedelta
from typing import Any, TextIO

from blocks.escalations.triage_card import ACKNOWLEDGE, CLAIM_ROLE, CONFIRM, POST_UPDATE, REPORT
from blocks.reports.recovery import ACCEPT_ACTION
from bot.escalations.changes import Actor
from bot.sandbox.stack import ControlledClock, Sandbox, wait_until
from bot.sandbox.transcript import Transcript

SEED_000_EMAIL = (
    "Email from David Okafor, 4-year enterprise customer (pays $180k/year). He's furious. Three weeks ago we "
    "migrated his data to a new server and corrupted 6 months of his historical reports. He's been in touch "
    "with our tier-1 team 8 times. Nothing has been fixed. He just sent a 2am email saying he's contacting "
    "our CEO tomorrow, posting on LinkedIn, and has already spoken to a competing vendor. He used the words "
    "'breach of contract' and 'incompetence'."
)

CHLOE_UPDATE = (
    "Found it: the migration script skipped the report-archive table. Restoring the 6 months from the "
    "3 Nov backup onto a replica now; first integrity check at 10:30."
)

CHLOE_CHECKED = "Integrity check passed on the replica: all 6 months match the 3 Nov backup."
CHLOE_FIX = "Restored the 6 months of reports from the 3 Nov backup; integrity checks pass in production."


class _Narrator:
    def __init__(self, out: TextIO, transcript: Transcript) -> None:
        self.out = out
        self.transcript = transcript

    def say(self, text: str) -> None:
        self.out.write("\n" + textwrap.fill(text, 100) + "\n")

    def bot(self) -> None:
        for line in self.transcript.new_lines():
            self.out.write(
                f"  warroom {line}\n" if not line.startswith(("┃", "  ")) else f"          {line}\n"
            )
        self.out.flush()


def run_demo(out: TextIO) -> None:
    """Play the seed example end to end and write the transcript to `out`."""
    clock = ControlledClock()
    with Sandbox(clock=clock) as sandbox:
        fake = sandbox.fake
        narrator = _Narrator(out, Transcript(fake))
        out.write(
            "warroom sandbox: a local fake Slack workspace (#support, #escalations; @ana support lead, "
            "@ben support engineer, @chloe engineering manager, @dave CSM).\n"
        )
        narrator.transcript.new_lines()  # start-up bookkeeping is not part of the story

        narrator.say(f"1. @ben pastes the customer's email into #support:  /escalate {SEED_000_EMAIL}")
        reply = sandbox.slack.slash_command(SEED_000_EMAIL, user_id="U0BEN", channel_id="C0SUPPORT")
        view = wait_until(lambda: fake.calls_to("views.open"))[-1].params["view"]
        narrator.say(
            f"   Slack got its acknowledgment in {reply.seconds * 1000:.0f} ms (HTTP {reply.status})."
        )
        narrator.bot()

        narrator.say(
            "2. @ben names the account, writes a one-line summary, adds what tier-1 tried, invites "
            "@chloe and @dave, and submits."
        )
        submitted = sandbox.slack.view_submission(view, _ben_fills_in(), user_id="U0BEN")
        wait_until(lambda: fake.calls_to("chat.postEphemeral"))
        narrator.say(
            f"   The modal closed after {submitted.seconds * 1000:.0f} ms; the room was built after that:"
        )
        narrator.bot()

        room = fake.calls_to("conversations.create")[-1]
        channel = fake.find_channel(room.params["name"])
        assert channel is not None
        card_ts = fake.pins(channel["id"])[0]
        escalation_id = sandbox.warroom.service.list_open(Actor("U0BEN")).shown[0].id

        narrator.say("3. @ana, the support lead on duty, clicks Acknowledge on the pinned card.")
        edits = fake.edit_count(channel["id"], card_ts)
        sandbox.slack.button(
            ACKNOWLEDGE, str(escalation_id), user_id="U0ANA", channel_id=channel["id"], message_ts=card_ts
        )
        wait_until(lambda: fake.edit_count(channel["id"], card_ts) > edits)
        wait_until(lambda: fake.calls_to("conversations.setTopic")[1:])
        narrator.bot()

        narrator.say(
            "4. @ben, who raised it, hands command to @chloe, who owns the migration:  "
            "/escalate role ic @chloe"
        )
        edits = fake.edit_count(channel["id"], card_ts)
        sandbox.slack.slash_command("role ic <@U0CHLOE|chloe>", user_id="U0BEN", channel_id=channel["id"])
        wait_until(lambda: fake.edit_count(channel["id"], card_ts) > edits)
        wait_until(lambda: fake.calls_to("conversations.setTopic")[2:])
        narrator.bot()

        narrator.say(
            "5. Twenty-five minutes pass with no update in the room (the sandbox's clock jumps ahead; "
            "in production the sweep runs every second)."
        )
        clock.advance(minutes=25)
        sandbox.warroom.clocks.sweep()
        narrator.bot()

        narrator.say("6. @chloe clicks Post update on the reminder and writes what changed.")
        before = len(fake.calls_to("views.open"))
        sandbox.slack.button(
            POST_UPDATE, str(escalation_id), user_id="U0CHLOE", channel_id=channel["id"], message_ts=card_ts
        )
        modal = wait_until(lambda: fake.calls_to("views.open")[before:])[-1].params["view"]
        narrator.transcript.new_lines()
        edits = fake.edit_count(channel["id"], card_ts)
        sandbox.slack.view_submission(
            modal, {"update": CHLOE_UPDATE, "status": "identified"}, user_id="U0CHLOE"
        )
        wait_until(lambda: fake.edit_count(channel["id"], card_ts) > edits)
        wait_until(lambda: "Identified" in fake.topic(channel["id"]))
        narrator.bot()

        narrator.say("7. @dave, the CSM, asks for a customer update to send David:  @warroom draft update")
        ts = fake.add_message(channel["id"], "U0DAVE", "<@U0WARROOM> draft update")
        sandbox.slack.mention("draft update", user_id="U0DAVE", channel_id=channel["id"], ts=ts)
        wait_until(
            lambda: any(
                b.get("block_id") == "draft_actions"
                for m in fake.thread(channel["id"], ts)
                for b in m.get("blocks") or []
            )
        )
        narrator.bot()

        narrator.say("8. @dave clicks Be the customer liaison on the card: he keeps David informed.")
        edits = fake.edit_count(channel["id"], card_ts)
        sandbox.slack.button(
            f"{CLAIM_ROLE}liaison",
            str(escalation_id),
            user_id="U0DAVE",
            channel_id=channel["id"],
            message_ts=card_ts,
        )
        wait_until(lambda: fake.edit_count(channel["id"], card_ts) > edits)
        narrator.bot()

        narrator.say(
            "9. @chloe writes in the room that the restore passed its checks, and @ana pins it to the "
            "timeline with a 📌 reaction."
        )
        clock.advance(minutes=40)
        checked = fake.add_message(channel["id"], "U0CHLOE", CHLOE_CHECKED)
        narrator.transcript.new_lines()
        sandbox.slack.reaction("pushpin", user_id="U0ANA", channel_id=channel["id"], ts=checked)
        wait_until(
            lambda: any(e.kind == "message_captured" for e in sandbox.warroom.service.timeline(escalation_id))
        )

        narrator.say(f"10. @chloe resolves it:  /escalate resolve {CHLOE_FIX}")
        edits = fake.edit_count(channel["id"], card_ts)
        sandbox.slack.slash_command(f"resolve {CHLOE_FIX}", user_id="U0CHLOE", channel_id=channel["id"])
        wait_until(lambda: fake.edit_count(channel["id"], card_ts) > edits)
        narrator.bot()

        narrator.say(
            "11. @dave calls David, who confirms his reports are back; @dave clicks Customer confirmed."
        )
        clock.advance(minutes=50)
        edits = fake.edit_count(channel["id"], card_ts)
        sandbox.slack.button(
            CONFIRM, str(escalation_id), user_id="U0DAVE", channel_id=channel["id"], message_ts=card_ts
        )
        wait_until(lambda: fake.edit_count(channel["id"], card_ts) > edits)
        narrator.bot()

        narrator.say(
            "12. @dave asks for the recovery plan (/escalate recovery) and accepts it: the gestures to offer "
            "and the check-ins with David become follow-ups he is reminded of. Nothing goes to David."
        )
        sandbox.slack.slash_command("recovery", user_id="U0DAVE", channel_id=channel["id"])
        plan = wait_until(lambda: _message_with(fake.messages(channel["id"]), ACCEPT_ACTION))
        narrator.bot()
        sandbox.slack.button(
            ACCEPT_ACTION,
            str(escalation_id),
            user_id="U0DAVE",
            channel_id=channel["id"],
            message_ts=plan["ts"],
        )
        wait_until(
            lambda: any(e.kind == "recovery_planned" for e in sandbox.warroom.service.timeline(escalation_id))
        )
        narrator.bot()

        narrator.say(
            "13. The next morning @chloe presses Write the report on the card: the root cause, a lesson, and "
            "a prevention action of her own. warroom writes seed 001's report from the real timeline."
        )
        clock.advance(hours=16)
        before = len(fake.calls_to("views.open"))
        sandbox.slack.button(
            REPORT, str(escalation_id), user_id="U0CHLOE", channel_id=channel["id"], message_ts=card_ts
        )
        report = wait_until(lambda: fake.calls_to("views.open")[before:])[-1].params["view"]
        narrator.transcript.new_lines()  # the modal: what matters is what it makes
        sandbox.slack.view_submission(report, _chloe_reviews(clock), user_id="U0CHLOE")
        wait_until(
            lambda: any(e.kind == "report_posted" for e in sandbox.warroom.service.timeline(escalation_id))
        )
        narrator.bot()

        events = sandbox.warroom.service.timeline(escalation_id)
        narrator.say("The timeline the report was written from:")
        for event in events:
            out.write(f"  {event.at:%H:%M} UTC  {narrator.transcript.humanize(event.text)}\n")
        out.write(
            "\nThat was the sandbox. To run warroom in your workspace, create the Slack app from "
            "manifest.yml, put SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET in .env, and run it again "
            "(README: Connecting to Slack).\n"
        )
        out.flush()


def _chloe_reviews(clock: ControlledClock) -> dict[str, Any]:
    return {
        "category": "process",
        "root_cause": (
            "The migration ran without a row-count check, so the skipped report-archive table went unseen."
        ),
        "lessons": "Check row counts before and after every migration",
        "action_1": "Add before/after row counts to the migration runbook",
        "owner_1": "U0CHLOE",
        "due_1": (clock.now + timedelta(days=14)).date().isoformat(),
    }


def _message_with(messages: list[dict[str, Any]], action_id: str) -> dict[str, Any] | None:
    return next((m for m in messages if action_id in json.dumps(m.get("blocks") or [])), None)


def _ben_fills_in() -> dict[str, Any]:
    return {
        "customer": "Okafor Analytics",
        "summary": "6 months of historical reports corrupted in our server migration",
        "users_affected": "40",
        "tried": "Tier-1 support was contacted 8 times over three weeks; no fix or recovery plan yet.",
        "responders": ["U0CHLOE", "U0DAVE"],
    }
