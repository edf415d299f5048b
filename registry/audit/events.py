"""The append-only audit trail: every change, transition, refusal and failed sign-in,
each stamped with the Actor the operation was given."""

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from registry.audit.actor import Actor
from registry.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (int, str, bool, float)):
        return value.value
    return value


def record(session: Session, *event: Any, **columns: Any) -> AuditEvent:
    """Add an audit event to ``session``: its arguments are ``event_row``'s."""
    event = AuditEvent(**event_row(*event, **columns))
    session.add(event)
    return event


def event_row(
    actor: Actor,
    action: str,
    entity: str,
    entity_key: Any = None,
    before: Any = None,
    after: Any = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """An audit event's columns, as ``record`` stores them: for events inserted in bulk."""
    if not isinstance(actor, Actor):
        raise TypeError(f"an audit event needs an Actor, not {type(actor).__name__}")
    return {
        "actor_id": actor.id,
        "actor": actor.email,
        "action": action,
        "entity": entity,
        "entity_key": None if entity_key is None else str(entity_key),
        "before": _jsonable(before),
        "after": _jsonable(after),
        "comment": comment,
        "source": actor.source,
        "address": actor.address[:64] if actor.address else None,
    }


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that differ, as (before, after) pairs of dicts."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
