"""Slack side effects that happen once: each step is recorded as started before Slack is called and
as done (with Slack's answer) after, so a retry, a double click or a crash resumes instead of repeating.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.slack.gateway import slack_error
from storage import claims
from storage.db import Database

log = logging.getLogger(__name__)
Action = Callable[[dict[str, Any]], dict[str, Any]]
# The columns a step's result sets on the escalation (the room's channel id, the card's ts...).
Apply = Callable[[dict[str, Any]], dict[str, Any]]


class StepFailed(Exception):
    """A Slack step failed after the gateway's retries; the escalation stays saved and resumable."""

    def __init__(self, step: str, error: str) -> None:
        super().__init__(f"{step}: {error}")
        self.step = step
        self.error = error


def raise_first_failure(results: dict[str, Any]) -> None:
    """Raise the first exception among parallel steps' results, as a `StepFailed`."""
    for result in results.values():
        if isinstance(result, Exception):
            raise result if isinstance(result, StepFailed) else StepFailed("set-up", slack_error(result))


def reconciling(
    action: Action, prior: dict[str, Any], recorded: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run a step's action; if the connection dropped or timed out, Slack may have acted, so run it once
    more at once as a resumed run (`run` + 1), which looks for what the first try made before making it.
    `recorded`: what the step log holds now (this run's intent included), for that second try."""
    try:
        return action(prior)
    except OSError as exc:  # URLError, a reset or closed connection, a timeout; not an answer from Slack
        log.info("a Slack call may have acted before its connection failed (%s); looking", type(exc).__name__)
        again = recorded if recorded is not None else prior
        return action({**again, "run": int(again.get("run", 1)) + 1})


class StepLog:
    """Runs an escalation's Slack steps at most once each, over the `slack_steps` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def attempts(self, escalation_id: int, name: str) -> int:
        """How many times the step has been started (0 if never)."""
        with self.db.session() as session:
            step = claims.steps_of(session, escalation_id).get(name)
            return step.attempts if step is not None else 0

    def run(
        self,
        escalation_id: int,
        name: str,
        action: Action,
        apply: Apply | None = None,
        intent: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Run `action` once per escalation: skipped when already done, recorded before and after.
        `intent` (from what earlier runs recorded) is written with the start, before Slack is called; the
        action sees what earlier runs recorded, not this run's intent."""
        with self.db.session() as session:
            step = claims.start_step(session, escalation_id, name, {})  # a done step is returned untouched
            if step.status == "done":
                return dict(step.result)
            prior = {**step.result, "run": step.attempts}
            if intent is not None:
                step.result = {**step.result, **intent(prior)}
            recorded = {**step.result, "run": step.attempts}
        try:
            result = reconciling(action, prior, recorded)
        except StepFailed:
            raise
        except Exception as exc:
            with self.db.session() as session:
                claims.fail_step(session, escalation_id, name, slack_error(exc))
            raise StepFailed(name, slack_error(exc)) from exc
        with self.db.session() as session:
            claims.finish_step(session, escalation_id, name, result)
            if apply is not None:
                claims.set_columns(session, escalation_id, apply(result))
        return result

    def run_together(
        self,
        escalation_id: int,
        steps: dict[str, tuple[Action, Apply | None]],
        in_parallel: Callable[[dict[str, Callable[[], dict[str, Any]]]], dict[str, Any]],
    ) -> dict[str, Any]:
        """Run independent steps at once: their intents in one transaction, the Slack calls in parallel,
        their results in one more. Same guarantees as `run`, a third of the database round trips."""
        with self.db.session() as session:
            recorded = claims.start_steps(session, escalation_id, {name: {} for name in steps})
            todo = [name for name in steps if recorded[name].status != "done"]
            priors = {name: {**recorded[name].result, "run": recorded[name].attempts} for name in todo}
        results = in_parallel(
            {name: (lambda name=name: reconciling(steps[name][0], priors[name])) for name in todo}
        )
        succeeded = {name: result for name, result in results.items() if not isinstance(result, Exception)}
        with self.db.session() as session:
            for name, result in results.items():
                if isinstance(result, Exception):
                    claims.fail_step(session, escalation_id, name, slack_error(result))
                    if not isinstance(result, StepFailed):  # the caller is told which step stopped
                        results[name] = StepFailed(name, slack_error(result))
            claims.finish_steps(session, escalation_id, succeeded)
            columns = {
                k: v
                for name, r in succeeded.items()
                if (apply := steps[name][1])
                for k, v in apply(r).items()
            }
            if columns:
                claims.set_columns(session, escalation_id, columns)
        raise_first_failure(results)
        return results
