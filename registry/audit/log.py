"""Reading the audit log: filters as the auditor types them, and pages of events."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, select

from registry.core.errors import N_
from registry.models import AuditEvent

AUDIT_PAGE_SIZE = 50

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_FILTER_LENGTH = 254


@dataclass
class AuditFilters:
    agency: str = ""
    user: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    before: int | None = None
    raw: dict = field(default_factory=dict)  # the values as typed, to show them back

    def query_args(self) -> dict:
        """The filters as GET parameters (without the page key), for links."""
        return {k: v for k, v in self.raw.items() if v and k != "before"}


def _parse_date(text: str) -> date:
    if not DATE_PATTERN.match(text):
        raise ValueError
    value = date.fromisoformat(text)
    if not 1900 <= value.year <= 2999:
        raise ValueError
    return value


def parse_audit_filters(args: Mapping) -> tuple[AuditFilters, dict[str, str]]:
    """The audit log's filters from GET parameters, and ``{parameter: message}``
    for each one that cannot be used."""
    errors: dict[str, str] = {}
    raw = {}
    for name in ("agency", "user", "action", "date_from", "date_to", "before"):
        value = args.get(name, "")
        raw[name] = (value if isinstance(value, str) else "").strip()[:MAX_FILTER_LENGTH]
    filters = AuditFilters(agency=raw["agency"], user=raw["user"], action=raw["action"], raw=raw)
    for name in ("date_from", "date_to"):
        if raw[name]:
            try:
                setattr(filters, name, _parse_date(raw[name]))
            except ValueError:
                errors[name] = N_("ngày phải có dạng NNNN-TT-NN, ví dụ 2015-03-31")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["date_to"] = N_("ngày kết thúc phải sau ngày bắt đầu")
    if raw["before"]:
        if raw["before"].isascii() and raw["before"].isdigit() and len(raw["before"]) <= 18:
            filters.before = int(raw["before"])
        else:
            errors["before"] = N_("không hợp lệ")
    return filters, errors


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC (as the events are stored)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(timezone.utc)


def audit_actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def audit_events(session: Session, filters: AuditFilters, tz: str = "UTC",
                 page_size: int = AUDIT_PAGE_SIZE) -> tuple[list[AuditEvent], int | None]:
    """One page of audit events matching ``filters``, newest first, and the key of
    the next (older) page or None. Dates are whole days in the time zone ``tz``."""
    zone = ZoneInfo(tz)
    query = select(AuditEvent)
    if filters.agency:
        query = query.where(or_(AuditEvent.entity_key == filters.agency,
                                AuditEvent.entity_key.startswith(filters.agency + "/", autoescape=True)))
    if filters.user:
        query = query.where(func.lower(AuditEvent.actor).contains(filters.user.lower(), autoescape=True))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from:
        query = query.where(AuditEvent.at >= _start_of(filters.date_from, zone))
    if filters.date_to:
        query = query.where(AuditEvent.at < _start_of(filters.date_to + timedelta(days=1), zone))
    if filters.before is not None:
        query = query.where(AuditEvent.id < filters.before)
    events = list(session.exec(query.order_by(AuditEvent.id.desc()).limit(page_size + 1)))
    older = events[page_size - 1].id if len(events) > page_size else None
    return events[:page_size], older


def compact_json(value: Any) -> str:
    """Before/after values on one line, readable (Vietnamese kept as it is)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
