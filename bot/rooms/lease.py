"""The room set-up lease: who is building an escalation's room right now, kept alive while they are."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from storage import claims
from storage.db import Database, utcnow

log = logging.getLogger(__name__)
# Short, and renewed while the set-up runs: after a crash another worker (or the restarted one) takes over
# within seconds, yet a set-up slowed down by Slack is never taken over while it is alive.
LEASE = timedelta(seconds=6)


class LeaseKeeper:
    """Renews a set-up lease every third of its length until stopped (a thread that mostly sleeps)."""

    def __init__(self, db: Database, escalation_id: int, owner: str) -> None:
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._renew, args=(db, escalation_id, owner), name="lease", daemon=True
        )
        self._thread.start()

    def _renew(self, db: Database, escalation_id: int, owner: str) -> None:
        while not self._stopped.wait(LEASE.total_seconds() / 3):
            try:
                with db.session() as session:
                    if not claims.renew_provisioning(session, escalation_id, owner, utcnow() + LEASE):
                        return
            except Exception as exc:  # the next renewal tries again; the lease lasts three periods
                log.warning("renewing the set-up lease of %s failed: %s", escalation_id, type(exc).__name__)

    def stop(self) -> None:
        """Stop renewing (the caller releases the lease)."""
        self._stopped.set()
        self._thread.join(timeout=5)
