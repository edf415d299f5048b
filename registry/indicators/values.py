"""Entering and verifying indicator values (SPEC §3b, §8.5, §8.10).

Values are decimals as people write them ("3,5" or "3.5"; in a decimal field a dot is
a decimal mark too, so "2.000" is two) and are kept exactly, as text; a percentage may
instead be given as a numerator and a denominator (whole numbers, where "3.813" is
3 813). Four eyes: whoever entered a value cannot verify it. A closed period's values
are frozen: every change is refused with the reason.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from sqlmodel import Session, select

from registry import audit
from registry.audit import Actor
from registry.core.errors import N_, Conflict, NotFound, ValidationFailed
from registry.models import Indicator, IndicatorValue, PeriodStatus, ReportingPeriod, utcnow

MAX_TEXT = 2000
MAX_DIGITS = 18
_DECIMAL = re.compile(r"^[0-9]{1,18}(?:\.[0-9]{1,6})?$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$")  # 3.813 or 1.234.567: a dot groups thousands


def _squeeze(text) -> str:
    return re.sub(r"[\s\u00a0\u202f]", "", str(text if text is not None else ""))


def parse_decimal(text) -> Decimal | None:
    """An exact non-negative decimal from what a person typed; None when it is not one."""
    raw = _squeeze(text).rstrip("%").replace(",", ".")
    if not _DECIMAL.match(raw):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def parse_whole(text) -> int | None:
    """A non-negative whole number, "3813" or "3.813" (thousands grouped by dots)."""
    raw = _squeeze(text)
    if _GROUPED.match(raw):
        raw = raw.replace(".", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_DIGITS:
        return None
    return int(raw)


def decimal_text(value: Decimal) -> str:
    """The decimal as stored and given by the API: no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text


def _url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in text)


@dataclass
class Entry:
    """What an auditor sends for one indicator and period (strings as typed)."""

    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    source: str | None = None
    evidence_url: str | None = None


def indicator_or_404(session: Session, code: str) -> Indicator:
    indicator = session.exec(select(Indicator).where(Indicator.code == str(code)[:64])).first()
    if indicator is None:
        raise NotFound(N_("Không có chỉ số %(code)s."), code=str(code)[:64])
    return indicator


def _open_period(session: Session, year: int) -> ReportingPeriod:
    period = session.get(ReportingPeriod, year)
    if period is None:
        raise NotFound(N_("Không có kỳ báo cáo %(year)s."), year=year)
    if period.status == PeriodStatus.closed.value:
        raise Conflict(N_("Kỳ %(year)s đã khoá và công bố; số liệu chỉ số không thể thay đổi. Quản trị viên cần mở "
                          "lại kỳ để đính chính."), year=year)
    return period


def check_entry(indicator: Indicator, entry: Entry) -> dict:
    """The columns of a value, or ValidationFailed naming each bad field (nothing written)."""
    fields: dict[str, str] = {}
    columns: dict = {"value": None, "numerator": None, "denominator": None}
    has_value = bool(_squeeze(entry.value))
    has_ratio = bool(_squeeze(entry.numerator)) or bool(_squeeze(entry.denominator))
    if has_value and has_ratio:
        fields["value"] = N_("nhập giá trị hoặc tử số và mẫu số, không nhập cả hai")
    elif has_ratio:
        if indicator.unit != "percent":
            fields["numerator"] = N_("chỉ chỉ số tỷ lệ phần trăm mới nhập bằng tử số và mẫu số")
        numerator, denominator = parse_whole(entry.numerator), parse_whole(entry.denominator)
        if numerator is None:
            fields["numerator"] = N_("phải là số nguyên không âm, ví dụ 3813 hoặc 3.813")
        if denominator is None or denominator == 0:
            fields["denominator"] = N_("phải là số nguyên dương, ví dụ 3813 hoặc 3.813")
        if numerator is not None and denominator and numerator > denominator:
            fields["numerator"] = N_("không được lớn hơn mẫu số")
        columns.update(numerator=numerator, denominator=denominator)
    elif has_value:
        value = parse_decimal(entry.value)
        if value is None:
            fields["value"] = N_("phải là số không âm, dấu phẩy hoặc dấu chấm là dấu thập phân (ví dụ 3,5), "
                                 "tối đa 6 chữ số sau dấu thập phân")
        elif indicator.unit == "percent" and value > 100:
            fields["value"] = N_("tỷ lệ phần trăm không được lớn hơn 100")
        else:
            columns["value"] = decimal_text(value)
    else:
        fields["value"] = N_("bắt buộc: nhập giá trị, hoặc tử số và mẫu số")
    source = (entry.source or "").strip()
    if not source:
        fields["source"] = N_("bắt buộc: nêu nguồn số liệu (niên giám thống kê, điều tra, báo cáo doanh nghiệp…)")
    elif len(source) > MAX_TEXT:
        fields["source"] = N_("tối đa 2000 ký tự")
    evidence = (entry.evidence_url or "").strip()
    if not _url(evidence) or len(evidence) > MAX_TEXT:
        fields["evidence_url"] = N_("bắt buộc: một địa chỉ http:// hoặc https:// tới tài liệu minh chứng")
    if fields:
        raise ValidationFailed(N_("Chưa lưu được chỉ số %(code)s: hãy xem lại các mục được đánh dấu."),
                               fields=fields, code=indicator.code)
    columns.update(source=source, evidence_url=evidence)
    return columns


def _snapshot(row: IndicatorValue | None) -> dict | None:
    if row is None:
        return None
    return {k: getattr(row, k) for k in ("value", "numerator", "denominator", "source", "evidence_url", "state")}


def find_value(session: Session, code: str, year: int) -> IndicatorValue | None:
    return session.exec(select(IndicatorValue).where(IndicatorValue.indicator_code == code,
                                                     IndicatorValue.period_year == year)).first()


def enter(session: Session, actor: Actor, code: str, year: int, entry: Entry) -> IndicatorValue:
    """Enter (or re-enter) a value: it waits for another person's verification, even when it
    replaces a verified one."""
    indicator = indicator_or_404(session, code)
    _open_period(session, year)
    columns = check_entry(indicator, entry)
    row = find_value(session, indicator.code, year)
    before = _snapshot(row)
    if row is None:
        row = IndicatorValue(indicator_code=indicator.code, period_year=year, **columns)
        session.add(row)
    else:
        for name, value in columns.items():
            setattr(row, name, value)
    row.state = "entered"
    row.entered_by_id, row.entered_at = actor.id, utcnow()
    row.verified_by_id, row.verified_at = None, None
    session.flush()
    audit.record(session, actor, "indicator.enter", "indicator_value", f"{indicator.code}/{year}",
                 before=before, after=_snapshot(row))
    return row


def verify(session: Session, actor: Actor, code: str, year: int) -> IndicatorValue:
    """Verify an entered value: by someone other than who entered it (four eyes)."""
    indicator = indicator_or_404(session, code)
    _open_period(session, year)
    row = find_value(session, indicator.code, year)
    if row is None:
        raise NotFound(N_("Chỉ số %(code)s chưa có giá trị cho kỳ %(year)s."), code=indicator.code, year=year)
    if row.state == "verified":
        raise Conflict(N_("Giá trị chỉ số %(code)s kỳ %(year)s đã được xác minh."), code=indicator.code, year=year)
    if actor.id is None or actor.id == row.entered_by_id:
        raise Conflict(N_("Người nhập giá trị không thể tự xác minh: cần một chuyên viên khác hoặc quản trị viên."))
    before = _snapshot(row)
    row.state, row.verified_by_id, row.verified_at = "verified", actor.id, utcnow()
    session.flush()
    audit.record(session, actor, "indicator.verify", "indicator_value", f"{indicator.code}/{year}",
                 before=before, after=_snapshot(row))
    return row
