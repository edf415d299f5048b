"""Importing indicator values (SPEC §5, §8.10): ``indicator_code,period,value,source,
evidence_url`` (or ``numerator`` and ``denominator`` for a percentage), all rows or none,
every bad row reported by row number, column and reason. Each value is entered as the
importing person's and waits for another person's verification."""

from sqlmodel import Session

from registry.audit import Actor
from registry.core.errors import N_, DomainError
from registry.dataio.importing import ImportResult, RowError
from registry.dataio.tables import OUTSIDE_HEADER, ImportFileError, read_table
from registry.indicators import values
from registry.indicators.values import Entry
from registry.models import PeriodStatus, ReportingPeriod

KIND = "indicators"
REQUIRED = ("indicator_code", "period", "source", "evidence_url")
OPTIONAL = ("value", "numerator", "denominator")
COLUMNS = REQUIRED + OPTIONAL


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def import_indicators(session: Session, actor: Actor, filename: str, data: bytes) -> ImportResult:
    """Check every row; enter them all only if none has a problem. Flushes, never commits."""
    header, rows = read_table(filename, data)
    result = ImportResult(kind=KIND, rows=len(rows))
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        raise ImportFileError(N_("Dòng tiêu đề phải có các cột %(columns)s (và value, hoặc numerator và "
                                 "denominator); thiếu: %(missing)s; không dùng được: %(unknown)s."),
                              columns=", ".join(REQUIRED), missing=", ".join(missing) or "—",
                              unknown=", ".join(unknown) or "—")
    checked, seen = [], {}
    for number, cells in rows:
        if OUTSIDE_HEADER in cells:
            result.errors.append(RowError(number, "-", cells[OUTSIDE_HEADER]))
            continue
        code, raw_year = _text(cells.get("indicator_code")), _text(cells.get("period"))
        try:
            indicator = values.indicator_or_404(session, code)
        except DomainError:
            result.errors.append(RowError(number, "indicator_code", N_("không có chỉ số này")))
            continue
        year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4 else None
        period = session.get(ReportingPeriod, year) if year is not None else None
        if period is None:
            result.errors.append(RowError(number, "period", N_("không có kỳ báo cáo này")))
            continue
        if period.status == PeriodStatus.closed.value:
            result.errors.append(RowError(number, "period", N_("kỳ đã khoá; cần mở lại kỳ để đính chính")))
            continue
        if (code, year) in seen:
            result.errors.append(RowError(number, "indicator_code",
                                          N_("trùng chỉ số và kỳ với một dòng trước trong tệp")))
            continue
        seen[(code, year)] = number
        entry = Entry(**{name: _text(cells.get(name)) for name in ("value", "numerator", "denominator", "source",
                                                                  "evidence_url")})
        try:
            values.check_entry(indicator, entry)
        except DomainError as exc:
            result.errors.extend(RowError(number, field, reason) for field, reason in exc.fields.items())
            continue
        checked.append((indicator.code, year, entry))
    if result.errors:
        return result
    for code, year, entry in checked:
        existed = values.find_value(session, code, year) is not None
        values.enter(session, actor.via("import"), code, year, entry)
        if existed:
            result.updated += 1
        else:
            result.created += 1
    return result
