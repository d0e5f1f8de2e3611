"""Steps a person takes in Slack, shared by the end-to-end tests."""

from __future__ import annotations

from typing import Any

from blocks.escalations.intake_modal import IntakeSource
from bot.escalations.intake import Intake
from bot.sandbox.signed import SlackReply
from bot.sandbox.stack import Sandbox, wait_until

SEV1_TEXT = (
    "Email from David Okafor, 4-year enterprise customer (pays $180k/year). Three weeks ago we migrated his "
    "data to a new server and corrupted 6 months of his historical reports."
)
SEV3_TEXT = "Dashboard charts load slowly for Initech; a workaround exists (export to CSV)."


def open_modal(
    sandbox: Sandbox, text: str, user: str = "U0BEN", channel: str = "C0SUPPORT"
) -> dict[str, Any]:
    """Type `/escalate <text>` and return the modal that opened."""
    before = len(sandbox.fake.calls_to("views.open"))
    reply = sandbox.slack.slash_command(text, user_id=user, channel_id=channel)
    assert reply.status == 200, reply.body
    return wait_until(lambda: sandbox.fake.calls_to("views.open")[before:])[-1].params["view"]


def submit(
    sandbox: Sandbox, view: dict[str, Any], values: dict[str, Any], user: str = "U0BEN", **options: Any
) -> SlackReply:
    """Submit the modal with `values` over its prefilled ones."""
    return sandbox.slack.view_submission(view, values, user_id=user, **options)


def escalate(
    sandbox: Sandbox, text: str, values: dict[str, Any], user: str = "U0BEN", channel: str = "C0SUPPORT"
) -> SlackReply:
    """`/escalate` and submit in one go."""
    return submit(sandbox, open_modal(sandbox, text, user, channel), values, user)


def room_ready(sandbox: Sandbox) -> dict[str, Any]:
    """Wait for the war room to have a pinned card; return the channel."""

    def ready() -> dict[str, Any] | None:
        created = [c for c in sandbox.fake.calls_to("conversations.create") if c.ok]
        if not created:
            return None
        channel = sandbox.fake.find_channel(created[-1].params["name"])
        return channel if channel and sandbox.fake.pins(channel["id"]) else None

    return wait_until(ready)


def settled(sandbox: Sandbox) -> None:
    """Wait until no escalation has unfinished Slack set-up."""
    from sqlalchemy import func, select

    from storage.models import Escalation

    def done() -> bool:
        with sandbox.warroom.db.session() as session:
            total = session.execute(select(func.count()).select_from(Escalation)).scalar_one()
            unfinished = session.execute(
                select(func.count()).select_from(Escalation).where(Escalation.provisioned_at.is_(None))
            ).scalar_one()
        return total > 0 and unfinished == 0

    wait_until(done)


def create_sev1s(sandbox: Sandbox, count: int, key: str) -> None:
    """`count` SEV-1 escalations of different customers straight through the service (no room set up),
    for tests about many escalations at once."""
    for i in range(count):
        sandbox.warroom.service.create(
            Intake(
                customer=f"Customer {i}",
                summary="Reports failing",
                escalation_type="technical",
                severity="SEV-1",
                ic_user_id="U0ANA",
            ),
            "U0BEN",
            IntakeSource(f"{key}-{i}"),
        )
