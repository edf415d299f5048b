"""Creating and updating the records an administrator keeps (agencies, services,
targets): one shape for all of them, so that every such write is checked,
audited with its values before and after, and refused as a conflict when its
code is taken, in the same way.

Each kind of record says what it is in a ``RecordKind``: its fields, how its
current values read, and how a form's values are checked into the values to
audit and the columns to write.
"""

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from registry.audit.actor import Actor
from registry.audit.events import changes, record
from registry.core.errors import Conflict, Msg


@dataclass(frozen=True)
class RecordKind:
    model: type
    entity: str  # the audit log's name for it
    fields: tuple[str, ...]  # the values an operation takes
    invalid: str  # message id: some value is wrong
    taken: str  # message id with %(code)s: the code is already in use
    values: Callable[[Session, Any], dict]  # a record's values, as a form shows them
    # (values to audit, columns to write) from a form's values, or ValidationFailed/Conflict
    check: Callable[[Session, dict, Any], tuple[dict, dict]]
    defaults: dict = field(default_factory=dict)  # of a new record, for the values a form leaves out


def merge(current: dict, given: dict, names: Iterable[str]) -> dict:
    unknown = set(given) - set(names)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    return {**current, **given}


def _flush(session: Session, kind: RecordKind, code: str | None) -> None:
    """Flush; a unique code another request won the race for is a conflict, not a 500."""
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(kind.invalid, fields={"code": Msg(kind.taken, code=code)}) from None


def create_record(session: Session, actor: Actor, kind: RecordKind, values: dict):
    audited, columns = kind.check(session, merge(kind.defaults, values, kind.fields), None)
    created = kind.model(**columns)
    session.add(created)
    _flush(session, kind, audited.get("code"))
    record(session, actor, f"{kind.entity}.create", kind.entity, created.code, after=audited)
    session.flush()
    return created


def update_record(session: Session, actor: Actor, kind: RecordKind, existing, given: dict):
    before = kind.values(session, existing)
    audited, columns = kind.check(session, merge(before, given, kind.fields), existing)
    old, new = changes(before, audited)
    if not new:
        return existing
    for name, value in columns.items():
        setattr(existing, name, value)
    _flush(session, kind, audited.get("code"))
    record(session, actor, f"{kind.entity}.update", kind.entity, existing.code, old, new)
    session.flush()
    return existing
