"""Rows to snapshots: the plain data builders and pure functions take."""

from __future__ import annotations

from bot.domain import EscalationSnapshot
from bot.policy import Policy
from storage.models import Escalation


def snapshot(row: Escalation, policy: Policy) -> EscalationSnapshot:
    """The plain view of a row that builders and pure functions take."""
    return EscalationSnapshot(
        id=row.id,
        public_id=row.public_id,
        customer=row.customer.name,
        title=row.title,
        severity=row.severity,
        severity_label=policy.for_severity(row.severity).label,
        suggested_severity=row.suggested_severity,
        severity_reasons=tuple(row.severity_reasons or ()),
        escalation_type=row.escalation_type,
        status=row.status,
        ic_user_id=row.ic_user_id,
        caller_user_id=row.caller_user_id,
        created_at=row.created_at,
        first_response_due_at=row.first_response_due_at,
        room_kind=row.room_kind,
        is_private=policy.is_private(row.escalation_type),
        tier=row.tier,
        contact_name=row.contact_name,
        arr_at_risk=row.arr_at_risk,
        users_affected=row.users_affected,
        description=row.description,
        tried=row.tried,
        public_exposure=row.public_exposure,
        regulatory=row.regulatory,
        responder_user_ids=tuple(row.responder_user_ids or ()),
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        room_channel_id=row.room_channel_id,
        room_channel_name=row.room_channel_name,
        card_channel_id=row.card_channel_id,
        card_ts=row.card_ts,
        source_channel_id=row.source_channel_id,
        source_message_ts=row.source_message_ts,
        last_internal_update_at=row.last_internal_update_at,
        last_internal_update_by=row.last_internal_update_by,
        last_internal_update_text=row.last_internal_update_text,
        last_customer_update_at=row.last_customer_update_at,
        last_customer_update_by=row.last_customer_update_by,
        customer_update_promised_at=row.customer_update_promised_at,
        internal_update_due_at=row.internal_update_due_at,
        customer_update_due_at=row.customer_update_due_at,
        resolution_due_at=row.resolution_due_at,
        resolved_at=row.resolved_at,
        first_response_breached=row.first_response_breached,
        resolution_breached=row.resolution_breached,
        source_permalink=row.source_permalink,
    )
