"""The read model of a follow-up: a plain, frozen view the builders and pure functions take."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.vocabulary import FollowUpKind, label_of

if TYPE_CHECKING:
    from storage.models import FollowUp

OPEN = "open"
DONE = "done"


@dataclass(frozen=True)
class FollowUpView:
    """One prevention action, accepted recovery gesture or check-in."""

    id: int
    escalation_id: int
    kind: str  # FollowUpKind
    text: str
    status: str  # OPEN or DONE
    created_at: datetime
    horizon: str | None = None  # prevention: "immediate" or "long_term"
    owner_user_id: str | None = None
    due_at: datetime | None = None
    created_by: str | None = None
    done_at: datetime | None = None
    done_by: str | None = None

    @classmethod
    def of(cls, row: FollowUp) -> FollowUpView:
        """The view of a row, field by field."""
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    @property
    def is_open(self) -> bool:
        """True until someone marks it done."""
        return self.status == OPEN

    @property
    def kind_label(self) -> str:
        """`Prevention action`, `Recovery gesture`, `Check-in`."""
        return label_of(FollowUpKind, self.kind)

    def is_overdue(self, now: datetime) -> bool:
        """Open and past its due date."""
        return self.is_open and self.due_at is not None and self.due_at < now
