"""Local sandbox: a fake Slack Web API for tests and `warroom demo`."""

from bot.sandbox.fake_slack import ApiCall, FakeSlack, SlackError

__all__ = ["ApiCall", "FakeSlack", "SlackError"]
