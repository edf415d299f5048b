"""Reading the audit log: filters as the auditor types them, pages of events with their
count, each event in words (what was done, to what, each changed field with its label
before and after), and the CSV an auditor takes away."""

import csv
import io
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, select

from registry.core.errors import N_
from registry.core.vocabulary import REPORT_LABELS, STATUS_LABELS, VOCABULARIES
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
    page: int = 1
    raw: dict = field(default_factory=dict)  # the values as typed, to show them back

    def query_args(self) -> dict:
        """The filters as GET parameters (without the page keys), for links."""
        return {k: v for k, v in self.raw.items() if v and k not in ("before", "page")}


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
    for name in ("agency", "user", "action", "date_from", "date_to", "before", "page"):
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
    if raw["page"]:
        if raw["page"].isascii() and raw["page"].isdigit() and 1 <= int(raw["page"][:9]) <= 10**8:
            filters.page = int(raw["page"])
        else:
            errors["page"] = N_("số trang phải là số nguyên từ 1 trở lên")
    return filters, errors


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC (as the events are stored)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(timezone.utc)


def audit_actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def _matching(filters: AuditFilters, tz: str):
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
    return query


def audit_events(session: Session, filters: AuditFilters, tz: str = "UTC",
                 page_size: int = AUDIT_PAGE_SIZE) -> tuple[list[AuditEvent], int | None]:
    """One page of audit events matching ``filters``, newest first, and the key of
    the next (older) page or None. Dates are whole days in the time zone ``tz``."""
    query = _matching(filters, tz)
    events = list(session.exec(query.order_by(AuditEvent.id.desc()).limit(page_size + 1)))
    older = events[page_size - 1].id if len(events) > page_size else None
    return events[:page_size], older


@dataclass(frozen=True)
class EventPage:
    events: list
    number: int  # this page, from 1
    count: int  # how many pages (at least 1)
    total: int  # how many events match


def audit_page(session: Session, filters: AuditFilters, tz: str = "UTC",
               page_size: int = AUDIT_PAGE_SIZE) -> EventPage:
    """Page ``filters.page`` of the matching events, newest first, with how many pages
    there are; a page past the last shows the last."""
    query = _matching(filters, tz)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    count = max(1, math.ceil(total / page_size))
    number = min(filters.page, count)
    events = list(session.exec(query.order_by(AuditEvent.id.desc())
                               .offset((number - 1) * page_size).limit(page_size)))
    return EventPage(events, number, count, total)


# --- an event in words ----------------------------------------------------------------------

ACTION_WORDS = {
    "access.denied": N_("Truy cập bị từ chối"),
    "api_token.create": N_("Tạo mã truy cập API"),
    "api_token.revoke": N_("Thu hồi mã truy cập API"),
    "demo.load": N_("Nạp dữ liệu minh họa"),
    "synth.load": N_("Nạp dữ liệu tổng hợp"),
    "import.agencies": N_("Nhập danh sách cơ quan từ tệp"),
    "import.services": N_("Nhập danh mục dịch vụ từ tệp"),
    "login.failed": N_("Đăng nhập không thành công"),
    "login.success": N_("Đăng nhập"),
    "login.throttled": N_("Tạm khóa đăng nhập do thử sai nhiều lần"),
    "period.create": N_("Mở kỳ báo cáo"),
    "period.close": N_("Khóa kỳ báo cáo"),
    "period.reopen": N_("Mở lại kỳ báo cáo"),
    "period.republish": N_("Công bố lại kỳ đã khóa theo cách tính mới"),
    "report.update": N_("Sửa báo cáo ứng dụng CNTT"),
    "service_status.update": N_("Sửa mức độ, minh chứng của dịch vụ"),
    "submission.create": N_("Tạo báo cáo của kỳ"),
    "submission.submit": N_("Gửi báo cáo để xác minh"),
    "submission.verify": N_("Xác minh báo cáo"),
    "submission.return": N_("Trả lại báo cáo"),
    "submission.reopen": N_("Mở lại báo cáo đã xác minh"),
    "agency.create": N_("Thêm cơ quan"),
    "agency.update": N_("Sửa thông tin cơ quan"),
    "service.create": N_("Thêm dịch vụ"),
    "service.update": N_("Sửa thông tin dịch vụ"),
    "target.create": N_("Thêm chỉ tiêu"),
    "target.update": N_("Sửa chỉ tiêu"),
    "user.create": N_("Tạo tài khoản"),
    "user.update": N_("Sửa tài khoản"),
    "user.deactivate": N_("Khóa tài khoản"),
    "user.password_change": N_("Đổi mật khẩu"),
    "user.password_reset": N_("Đặt lại mật khẩu"),
}

# the fields of records, beside the report's and a service status's (vocabulary.py)
RECORD_FIELD_LABELS = {
    "code": N_("Mã"), "name": N_("Tên"), "name_en": N_("Tên tiếng Anh"), "tier": N_("Cấp"),
    "kind": N_("Loại cơ quan"), "parent_id": N_("Cơ quan cấp trên"), "parent_code": N_("Cơ quan cấp trên"),
    "active": N_("Đang hoạt động"), "agency_id": N_("Cơ quan"), "agency": N_("Cơ quan"),
    "agency_code": N_("Cơ quan"), "sector": N_("Lĩnh vực"), "state": N_("Trạng thái"),
    "status": N_("Trạng thái"), "role": N_("Vai trò"), "email": N_("E-mail"),
    "title_vi": N_("Tên chỉ tiêu"), "title_en": N_("Tên chỉ tiêu tiếng Anh"), "citation": N_("Trích dẫn"),
    "unit": N_("Đơn vị"), "comparator": N_("So sánh"), "threshold": N_("Ngưỡng"), "deadline": N_("Hạn"),
    "formula": N_("Cách tính"), "min_level": N_("Mức độ dịch vụ phải đạt"), "position": N_("Thứ tự"),
    "reason": N_("Lý do"), "rows": N_("Số dòng"), "created": N_("Số bản ghi thêm"),
    "updated": N_("Số bản ghi sửa"), "path": N_("Trang"), "method": N_("Phương thức"),
}

# which vocabulary names a field's values (a state, a tier, a kind…)
VALUE_VOCABULARY = {"state": "state", "tier": "tier", "kind": "kind", "role": "role", "status": "period_status"}


def action_words(action: str, gettext=lambda s: s) -> str:
    """What was done, in words; an action the registry does not know keeps its code."""
    words = ACTION_WORDS.get(action)
    return gettext(words) if words else action


def field_label(name: str, gettext=lambda s: s) -> str:
    for labels in (REPORT_LABELS, STATUS_LABELS, RECORD_FIELD_LABELS):
        if name in labels:
            return gettext(labels[name])
    return name


def value_words(name: str | None, value: Any, gettext=lambda s: s) -> str:
    """A before or after value as a reader reads it: yes/no, a state's name, blank for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext(N_("có")) if value else gettext(N_("không"))
    vocabulary = VALUE_VOCABULARY.get(name or "")
    if vocabulary and isinstance(value, str) and value in VOCABULARIES[vocabulary]:
        return gettext(VOCABULARIES[vocabulary][value])
    if isinstance(value, (dict, list)):
        return compact_json(value)
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str | None  # None: the value as a whole (not a record of fields)
    label: str
    before: str
    after: str


def changes(event: AuditEvent, gettext=lambda s: s) -> list[Change]:
    """Each field the event changed (or set, or removed), with its label and its values
    before and after in words; fields that did not change are left out."""
    before, after = event.before, event.after
    if isinstance(before, dict) or isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        new = after if isinstance(after, dict) else {}
        names = list(dict.fromkeys([*old, *new]))
        return [Change(name, field_label(name, gettext), value_words(name, old.get(name), gettext),
                       value_words(name, new.get(name), gettext))
                for name in names if old.get(name) != new.get(name) or name not in old or name not in new]
    if before is None and after is None:
        return []
    return [Change(None, "", value_words(None, before, gettext), value_words(None, after, gettext))]


def target_of(event: AuditEvent) -> tuple[str, dict] | None:
    """Where what the event changed can be seen: (endpoint, arguments), or None."""
    key = event.entity_key or ""
    parts = key.split("/")
    if event.entity in ("submission", "service_status") and len(parts) >= 2 and parts[1].isdigit():
        return "review.submission", {"code": parts[0], "year": int(parts[1])}
    if event.entity == "agency" and key:
        return "catalogue.agency", {"code": key}
    if event.entity == "service" and key:
        return "catalogue.services", {"q": key}
    if event.entity == "target" and key:
        return "public.target_detail", {"code": key}
    if event.entity == "reporting_period":
        return "admin.periods", {}
    if event.entity == "user":
        return "admin.users", {}
    return None


# --- the CSV an auditor takes away ------------------------------------------------------------

CSV_LIMIT = 100_000
CSV_HEADERS = (N_("Thời điểm (UTC)"), N_("Người thực hiện"), N_("Nguồn"), N_("Địa chỉ"), N_("Mã thao tác"),
               N_("Thao tác"), N_("Đối tượng"), N_("Khóa"), N_("Trường"), N_("Trước"), N_("Sau"), N_("Ý kiến"))


def audit_csv(session: Session, filters: AuditFilters, tz: str = "UTC", gettext=lambda s: s,
              limit: int = CSV_LIMIT) -> Iterator[str]:
    """The matching events (all pages, newest first, at most ``limit``) as CSV text in
    chunks: one line per changed field, so that a spreadsheet filters by field; an event
    that changed no field has one line. UTF-8 with a byte-order mark for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([gettext(h) for h in CSV_HEADERS])
    yield "\ufeff" + buffer.getvalue()
    query = _matching(filters, tz).order_by(AuditEvent.id.desc()).limit(limit)
    for event in session.exec(query.execution_options(yield_per=500)):
        buffer.seek(0)
        buffer.truncate()
        head = [event.at.isoformat() if event.at else "", event.actor or "", event.source or "",
                getattr(event, "address", None) or "", event.action, action_words(event.action, gettext),
                event.entity or "", event.entity_key or ""]
        rows = changes(event, gettext) or [Change(None, "", "", "")]
        for change in rows:
            writer.writerow([_cell(v) for v in [*head, change.label or change.field or "", change.before,
                                                change.after, event.comment or ""]])
        yield buffer.getvalue()


def _cell(value: str) -> str:
    """No cell a spreadsheet would run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def compact_json(value: Any) -> str:
    """Before/after values on one line, readable (Vietnamese kept as it is)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
