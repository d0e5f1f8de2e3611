"""How listeners answer people: problems become a clear ephemeral message where the person is."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_bolt import Ack, Respond
from slack_sdk.errors import SlackApiError

from blocks.escalations.messages import build_error
from bot.escalations.changes import Actor, EscalationNotFound
from bot.escalations.record import InvalidChange, NotAllowed
from bot.slack.gateway import SlackGateway, slack_error

log = logging.getLogger(__name__)
GONE = "That escalation no longer exists in warroom's records."
OUR_FAULT = (
    "Something went wrong on warroom's side and that did not go through. Please try again in a moment."
)

Tell = Callable[[str], None]


def by_respond(respond: Respond) -> Tell:
    """Tell the person through the command's response_url (only they see it)."""

    def tell(text: str) -> None:
        respond(response_type="ephemeral", replace_original=False, text=text, blocks=build_error(text))

    return tell


def by_ephemeral(gateway: SlackGateway, body: dict) -> Tell:
    """Tell the person who clicked about a problem, in the channel of the message they clicked."""
    channel = (body.get("channel") or {}).get("id")
    user = (body.get("user") or {}).get("id")

    def tell(text: str) -> None:
        if user:
            privately(gateway, channel, user, f"⚠️ {text}", blocks=build_error(text))

    return tell


def privately(
    gateway: SlackGateway, channel: str | None, user: str, text: str, blocks: list[dict] | None = None
) -> None:
    """A message only `user` sees: an ephemeral in `channel`, or a direct message when Slack will not show
    one there (someone reading a public room they have not joined)."""
    if channel:
        try:
            gateway.post_ephemeral(channel, user, text, blocks=blocks)
            return
        except SlackApiError as exc:
            log.info("ephemeral to %s in %s refused (%s); sending a DM", user, channel, slack_error(exc))
    gateway.post_message(user, text, blocks=blocks)


@contextmanager
def told_on_failure(tell: Tell, *, instead: str = OUR_FAULT) -> Iterator[None]:
    """Run a listener's work; a refused, invalid or failed change is told to the person, never raised.
    `instead` is what an unexpected failure says (where part of the work is already saved)."""
    try:
        yield
    except (InvalidChange, NotAllowed) as problem:
        tell(str(problem))
    except (EscalationNotFound, ValueError):  # a stale button, or a value that is not ours
        tell(GONE)
    except Exception:
        log.exception("a listener failed")
        tell(instead)


def by_dm(gateway: SlackGateway, user_id: str) -> Tell:
    """Tell the person in a direct message (after a modal has closed, there is nowhere else)."""

    def tell(text: str) -> None:
        gateway.post_message(user_id, f"⚠️ {text}")

    return tell


def ack_only(ack: Ack) -> None:
    """The acknowledgement of a listener whose work is all lazy."""
    ack()


def actor_of(body: dict) -> Actor:
    """Who clicked or submitted, and in which channel (None for a modal)."""
    return Actor(body["user"]["id"], (body.get("channel") or {}).get("id"))
