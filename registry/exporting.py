"""Open data and the DIC's report, as bytes (CSV, XLSX, JSON). No Flask here.

Two products:

* **Open data** (``open_data``): for one period, the ``verified`` basis only,
  three data sets — ``targets``, ``agencies``, ``services`` — with stable
  English snake_case column codes, in CSV (UTF-8 with BOM, CRLF), XLSX and
  JSON. No personal data: no user, no e-mail, no verifier.
* **The DIC's report** (``dic_report``, báo cáo gửi tỉnh): an XLSX workbook
  with Vietnamese headers (sheets "Chỉ tiêu", "Cơ quan", "Dịch vụ"), or its
  targets table alone as CSV. ``verified`` by default; ``reported`` for auditors.

Spreadsheet safety: a text cell that begins with ``= + - @``, a tab or a
carriage return is written with a leading ``'`` so that no spreadsheet reads
it as a formula. Numbers and booleans are written as they are.

Size: agencies and services are read with ``yield_per`` (a server-side cursor
on PostgreSQL, ``fetchmany`` on SQLite) and handed on row by row; XLSX is
written with a write-only workbook. Only the output bytes are held whole.
"""

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, case, func, select, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session

from .demo import is_loaded as demo_loaded
from .errors import N_, ValidationFailed
from .levels import LEVELS
from .models import (
    REPORT_FIELDS,
    REPORT_FLAGS,
    Agency,
    Service,
    ServiceStatus,
    Submission,
    Unit,
    VerifiedServiceStatus,
)
from .reading import check_basis, period_or_404
from .targets import TargetResult, basis_figures, compute_targets
from .vocabulary import KIND_LABELS, REPORT_LABELS, STATE_LABELS, TIER_LABELS
from .workflow import display_state

DATASETS = ("targets", "agencies", "services")
OPEN_DATA_FORMATS = ("csv", "xlsx", "json")
REPORT_FORMATS = ("xlsx", "csv")
OPEN_DATA_BASIS = "verified"  # the public is told only what has been verified
VIETNAM_TIME = timezone(timedelta(hours=7))  # Điện Biên keeps UTC+7 all year
BATCH_SIZE = 1000

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}

# --- open data columns: stable codes, documented on /open-data ---------------------

TARGET_COLUMNS = (
    "code", "title_vi", "title_en", "citation", "unit", "comparator", "threshold", "deadline",
    "numerator", "denominator", "value", "met", "status", "coverage_covered", "coverage_total",
)
AGENCY_COLUMNS = ("code", "name", "name_en", "tier", "kind", "parent_code", "active", "in_basis", *REPORT_FIELDS)
SERVICE_COLUMNS = (
    "code", "name", "name_en", "agency_code", "sector", "level",
    "info_url", "form_url", "submission_url", "in_basis",
)
COLUMNS = {"targets": TARGET_COLUMNS, "agencies": AGENCY_COLUMNS, "services": SERVICE_COLUMNS}

# --- the DIC's report: fixed Vietnamese words ----------------------------------------

STATUS_VI = {"met": "đạt", "not_met": "chưa đạt", "no_data": "chưa có dữ liệu"}
BASIS_VI = {
    "verified": "số liệu đã xác minh",
    "reported": "số liệu đã báo cáo (gồm cả báo cáo đã gửi, chưa xác minh)",
}
NO_SUBMISSION_VI = "chưa có báo cáo"
DEMO_VI = "Dữ liệu minh họa — không phải số liệu chính thức"
REPORT_TITLE_VI = "Báo cáo kết quả thực hiện chỉ tiêu ứng dụng CNTT (Quyết định 1529/QĐ-UBND) — kỳ báo cáo {year}"

TARGET_HEADERS_VI = (
    "Mã", "Chỉ tiêu", "Căn cứ", "Mức cần đạt", "Kết quả", "Tử số", "Mẫu số", "Đánh giá",
    "Tỷ lệ bao phủ dữ liệu", "Thời hạn", "Còn thiếu",
)
TARGET_WIDTHS = (26, 60, 50, 14, 11, 10, 10, 16, 20, 10, 11)

SERVICE_HEADERS_VI = (
    "Mã thủ tục", "Tên thủ tục", "Mã cơ quan", "Cơ quan", "Lĩnh vực", "Mức độ",
    "Minh chứng: trang thông tin thủ tục", "Minh chứng: mẫu đơn, tờ khai", "Minh chứng: nộp hồ sơ trực tuyến",
    "Có số liệu trong cơ sở tính",
)
SERVICE_WIDTHS = (16, 60, 24, 40, 24, 9, 40, 40, 40, 14)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- cells ---------------------------------------------------------------------------

def safe_text(value: str) -> str:
    """Text a spreadsheet will not run: a leading ``'`` before a formula-like start,
    and no control characters XLSX cannot hold."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return safe_text(str(value))


def _xlsx_value(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return safe_text(str(value))


def _yes_no(value) -> str | None:
    if value is None:
        return None
    return "có" if value else "không"


# --- writers ---------------------------------------------------------------------------

def to_csv(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """UTF-8 with a BOM (so that Excel reads Vietnamese), CRLF line ends, formula-safe."""
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    text.flush()
    body = buffer.getvalue()
    text.detach()
    return body


def _bold_cells(ws, values, size=None):
    font = Font(bold=True, size=size) if size else Font(bold=True)
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=_xlsx_value(value))
        cell.font = font
        cells.append(cell)
    return cells


def _sheet(wb: Workbook, title: str, header, rows, widths=None, preamble=(), number_formats=None):
    """A write-only sheet: optional preamble rows (a title), a bold frozen header, the rows."""
    ws = wb.create_sheet(title=title)
    widths = widths or [max(10, min(40, len(str(h)) + 2)) for h in header]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"A{len(preamble) + 2}"
    for n, line in enumerate(preamble):
        ws.append(_bold_cells(ws, [line], size=13) if n == 0 else [_xlsx_value(line)])
    header_cells = _bold_cells(ws, header)
    for cell in header_cells:
        cell.fill = PatternFill("solid", fgColor="DDE3EA")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append(header_cells)
    number_formats = number_formats or {}
    for row in rows:
        values = [_xlsx_value(v) for v in row]
        if number_formats:
            cells = []
            for index, value in enumerate(values):
                fmt = number_formats.get(index)
                if fmt is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt(row) if callable(fmt) else fmt
                    cells.append(cell)
                else:
                    cells.append(value)
            values = cells
        ws.append(values)
    return ws


def _workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_xlsx(sheet_title: str, header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    wb = Workbook(write_only=True)
    _sheet(wb, sheet_title, list(header), rows)
    return _workbook_bytes(wb)


def to_json(meta: dict, header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """``{…meta, "columns": […], "rows": [{column: value}, …]}`` in UTF-8, written row by row."""
    header = list(header)
    buffer = io.BytesIO()
    head = json.dumps({**meta, "columns": header}, ensure_ascii=False)
    buffer.write((head[:-1] + ', "rows": [').encode("utf-8"))
    separator = "\n"
    for row in rows:
        buffer.write((separator + json.dumps(dict(zip(header, row)), ensure_ascii=False)).encode("utf-8"))
        separator = ",\n"
    buffer.write(b"\n]}\n")
    return buffer.getvalue()


# --- reading: rows in batches ----------------------------------------------------------

def _stream(session: Session, statement, batch_size: int) -> Iterator:
    """The rows of ``statement``, fetched ``batch_size`` at a time (never all at once)."""
    result = session.execute(statement.execution_options(yield_per=batch_size))
    try:
        for partition in result.partitions(batch_size):
            yield from partition
    finally:
        result.close()


def _statuses(figures):
    """(agency_id, service_id, level, evidence) of the service statuses in the basis."""
    copied = (select(figures.c.agency_id, VerifiedServiceStatus.service_id, VerifiedServiceStatus.level,
                     VerifiedServiceStatus.info_url, VerifiedServiceStatus.form_url,
                     VerifiedServiceStatus.submission_url)
              .join(VerifiedServiceStatus, VerifiedServiceStatus.copy_id == figures.c.copy_id))
    current = (select(figures.c.agency_id, ServiceStatus.service_id, ServiceStatus.level,
                      ServiceStatus.info_url, ServiceStatus.form_url, ServiceStatus.submission_url)
               .join(ServiceStatus, ServiceStatus.submission_id == figures.c.submission_id))
    return union_all(copied, current).subquery("statuses")


def _services_statement(period: int, basis: str):
    """Every active service of an active agency (the targets' denominator), with the
    level and evidence that count for it in the basis (level 0 when its agency's
    submission is not in the basis)."""
    figures = basis_figures(period, basis)
    statuses = _statuses(figures)
    return (
        select(Service.code, Service.name, Service.name_en, Agency.code.label("agency_code"),
               Agency.name.label("agency_name"), Service.sector,
               func.coalesce(statuses.c.level, 0).label("level"),
               statuses.c.info_url, statuses.c.form_url, statuses.c.submission_url,
               figures.c.agency_id.is_not(None).label("in_basis"))
        .join(Agency, Agency.id == Service.agency_id)
        .join(figures, figures.c.agency_id == Service.agency_id, isouter=True)
        .join(statuses, and_(statuses.c.service_id == Service.id, statuses.c.agency_id == Service.agency_id),
              isouter=True)
        .where(Service.active, Agency.active)
        .order_by(Agency.code, Service.code)
    )


def service_rows(session: Session, period: int, basis: str = OPEN_DATA_BASIS,
                 batch_size: int = BATCH_SIZE) -> Iterator[tuple]:
    """Open-data rows of the services (SERVICE_COLUMNS), read in batches."""
    for r in _stream(session, _services_statement(period, basis), batch_size):
        yield (r.code, r.name, r.name_en, r.agency_code, r.sector, int(r.level),
               r.info_url, r.form_url, r.submission_url, bool(r.in_basis))


def _agencies_statement(period: int, basis: str):
    figures = basis_figures(period, basis)
    parent = aliased(Agency)
    return (
        select(Agency.id, Agency.code, Agency.name, Agency.name_en, Agency.tier, Agency.kind,
               parent.code.label("parent_code"), Agency.active,
               figures.c.agency_id.is_not(None).label("in_basis"),
               *[figures.c[f] for f in REPORT_FIELDS])
        .join(parent, parent.id == Agency.parent_id, isouter=True)
        .join(figures, figures.c.agency_id == Agency.id, isouter=True)
    )


def _report_value(name: str, value):
    if value is None:
        return None
    return bool(value) if name in REPORT_FLAGS else int(value)


def agency_rows(session: Session, period: int, basis: str = OPEN_DATA_BASIS,
                batch_size: int = BATCH_SIZE) -> Iterator[tuple]:
    """Open-data rows of every agency (AGENCY_COLUMNS), with the adoption report that
    counts in the basis (its last verified copy), or empty cells."""
    statement = _agencies_statement(period, basis).order_by(Agency.code)
    for r in _stream(session, statement, batch_size):
        yield (r.code, r.name, r.name_en, r.tier, r.kind, r.parent_code, bool(r.active), bool(r.in_basis),
               *[_report_value(f, r._mapping[f]) for f in REPORT_FIELDS])


def target_rows(results: list[TargetResult]) -> Iterator[tuple]:
    for r in results:
        t = r.target
        yield (t.code, t.title_vi, t.title_en, t.citation, t.unit, t.comparator, t.threshold, t.deadline,
               r.numerator, r.denominator, r.value, r.met, r.status, r.coverage.covered, r.coverage.total)


def dataset_rows(session: Session, dataset: str, period: int, basis: str = OPEN_DATA_BASIS,
                 batch_size: int = BATCH_SIZE) -> Iterator[tuple]:
    if dataset == "targets":
        return target_rows(compute_targets(session, period, basis))
    if dataset == "agencies":
        return agency_rows(session, period, basis, batch_size)
    if dataset == "services":
        return service_rows(session, period, basis, batch_size)
    raise ValueError(dataset)


# --- open data ----------------------------------------------------------------------------

def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).replace(microsecond=0)


def open_data(session: Session, dataset: str, period, fmt: str, *, batch_size: int = BATCH_SIZE,
              now: datetime | None = None) -> bytes:
    """One open-data file: ``dataset`` (targets, agencies, services) of ``period`` in
    ``fmt`` (csv, xlsx, json), verified figures only. Raises NotFound for an unknown
    period, ValueError for an unknown data set or format."""
    if dataset not in DATASETS:
        raise ValueError(dataset)
    if fmt not in OPEN_DATA_FORMATS:
        raise ValueError(fmt)
    year = period_or_404(session, period).year
    header = COLUMNS[dataset]
    if fmt == "json":
        meta = {"dataset": dataset, "period": year, "basis": OPEN_DATA_BASIS,
                "generated_at": _now(now).isoformat(), "demonstration_data": demo_loaded(session)}
        return to_json(meta, header, dataset_rows(session, dataset, year, OPEN_DATA_BASIS, batch_size))
    rows = dataset_rows(session, dataset, year, OPEN_DATA_BASIS, batch_size)
    if fmt == "csv":
        return to_csv(header, rows)
    return to_xlsx(dataset, header, rows)


def open_data_filename(period: int, dataset: str, fmt: str) -> str:
    return f"dien-bien-{period}-{dataset}.{fmt}"


def periods_with_verified_data(session: Session) -> set[int]:
    return set(session.execute(select(Submission.period_year).where(Submission.verified_sequence.is_not(None))
                               .distinct()).scalars())


# --- the DIC's report -------------------------------------------------------------------------

def _threshold_vi(target) -> str:
    unit = "%" if target.unit == Unit.percent.value else ""
    word = "trên" if target.comparator == ">" else "≥"
    return f"{word} {target.threshold}{unit}"


def _coverage_vi(result: TargetResult) -> str:
    covered, total = result.coverage.covered, result.coverage.total
    if total == 0:
        return "0/0"
    return f"{covered}/{total} ({covered * 100 / total:.1f}%)"


def report_target_rows(results: list[TargetResult]) -> Iterator[tuple]:
    """The targets table of the DIC's report, in the order of TARGET_HEADERS_VI."""
    for r in results:
        t = r.target
        yield (t.code, t.title_vi, t.citation, _threshold_vi(t), r.value, r.numerator, r.denominator,
               STATUS_VI[r.status], _coverage_vi(r), t.deadline,
               None if r.status == "no_data" else r.shortfall)


def _state_vi(state: str | None, verified_sequence: int | None) -> str:
    if state is None:
        return NO_SUBMISSION_VI
    return STATE_LABELS[display_state(state, verified_sequence)]


def _level_counts(session: Session, period: int, basis: str) -> dict[int, dict[int, int]]:
    """agency id → {level: number of its active services counted at that level}: one grouped query."""
    figures = basis_figures(period, basis)
    statuses = _statuses(figures)
    level = func.coalesce(statuses.c.level, 0)
    rows = session.execute(
        select(Service.agency_id, level, func.count())
        .join(Agency, Agency.id == Service.agency_id)
        .join(statuses, and_(statuses.c.service_id == Service.id, statuses.c.agency_id == Service.agency_id),
              isouter=True)
        .where(Service.active, Agency.active)
        .group_by(Service.agency_id, level)
    ).all()
    counts: dict[int, dict[int, int]] = {}
    for agency_id, lv, n in rows:
        counts.setdefault(agency_id, {})[int(lv)] = int(n)
    return counts


TIER_ORDER = {"province": 0, "district": 1, "commune": 2}


def _report_agency_rows(session: Session, period: int, basis: str, batch_size: int) -> Iterator[tuple]:
    counts = _level_counts(session, period, basis)  # before the stream opens
    statement = (
        _agencies_statement(period, basis)
        .add_columns(Submission.state, Submission.verified_sequence)
        .join(Submission, and_(Submission.agency_id == Agency.id, Submission.period_year == period), isouter=True)
        .where(Agency.active)
        .order_by(case(TIER_ORDER, value=Agency.tier, else_=9), Agency.name_sort, Agency.code)
    )
    for r in _stream(session, statement, batch_size):
        values = r._mapping
        by_level = counts.get(r.id, {})
        report = [_report_value(f, values[f]) for f in REPORT_FIELDS]
        yield (r.code, r.name, TIER_LABELS.get(r.tier, r.tier), KIND_LABELS.get(r.kind, r.kind), r.parent_code,
               _state_vi(r.state, r.verified_sequence), _yes_no(bool(r.in_basis)),
               *[_yes_no(v) if f in REPORT_FLAGS else v for f, v in zip(REPORT_FIELDS, report)],
               *[by_level.get(level.number, 0) for level in LEVELS], sum(by_level.values()))


def _agency_headers_vi(period: int) -> tuple[str, ...]:
    return (
        "Mã cơ quan", "Tên cơ quan", "Cấp", "Loại", "Cơ quan cấp trên", f"Trạng thái báo cáo kỳ {period}",
        "Có số liệu trong cơ sở tính", *[REPORT_LABELS[f] for f in REPORT_FIELDS],
        *[f"Số dịch vụ mức {level.number}" for level in LEVELS], "Tổng số dịch vụ",
    )


def _report_service_rows(session: Session, period: int, basis: str, batch_size: int) -> Iterator[tuple]:
    for r in _stream(session, _services_statement(period, basis), batch_size):
        yield (r.code, r.name, r.agency_code, r.agency_name, r.sector, int(r.level),
               r.info_url, r.form_url, r.submission_url, _yes_no(bool(r.in_basis)))


def _preamble(session: Session, period: int, basis: str, now: datetime) -> list[str]:
    lines = [REPORT_TITLE_VI.format(year=period),
             f"Cơ sở tính: {BASIS_VI[basis]} · Lập lúc: {now.astimezone(VIETNAM_TIME).strftime('%H:%M ngày %d/%m/%Y')}"]
    if demo_loaded(session):
        lines.append(DEMO_VI)
    return lines


def _check_report(session: Session, period, basis: str | None, fmt: str) -> tuple[int, str]:
    year = period_or_404(session, period).year
    basis = check_basis(basis)
    if fmt not in REPORT_FORMATS:
        raise ValidationFailed(N_("Định dạng phải là xlsx hoặc csv."), fields={"format": N_("không hợp lệ")})
    return year, basis


def dic_report_xlsx(session: Session, period, basis: str = "verified", *, batch_size: int = BATCH_SIZE,
                    now: datetime | None = None) -> bytes:
    """The DIC's report as a workbook: "Chỉ tiêu", "Cơ quan", "Dịch vụ"."""
    year, basis = _check_report(session, period, basis, "xlsx")
    now = _now(now)
    preamble = _preamble(session, year, basis, now)
    results = compute_targets(session, year, basis)
    wb = Workbook(write_only=True)

    def value_format(row):  # a percentage keeps its one decimal and shows "%", a count is whole
        return '0.0"%"' if row[3].endswith("%") else "0"

    _sheet(wb, "Chỉ tiêu", TARGET_HEADERS_VI, report_target_rows(results), TARGET_WIDTHS, preamble,
           number_formats={4: value_format})
    agency_headers = _agency_headers_vi(year)
    agency_widths = [16, 44, 10, 22, 20, 18, 14] + [16] * len(REPORT_FIELDS) + [11] * (len(LEVELS) + 1)
    _sheet(wb, "Cơ quan", agency_headers, _report_agency_rows(session, year, basis, batch_size),
           agency_widths, preamble)
    _sheet(wb, "Dịch vụ", SERVICE_HEADERS_VI, _report_service_rows(session, year, basis, batch_size),
           SERVICE_WIDTHS, preamble)
    return _workbook_bytes(wb)


def dic_report_csv(session: Session, period, basis: str = "verified") -> bytes:
    """The DIC's report as CSV: the targets table alone, Vietnamese headers."""
    year, basis = _check_report(session, period, basis, "csv")
    return to_csv(TARGET_HEADERS_VI, report_target_rows(compute_targets(session, year, basis)))


def dic_report(session: Session, period, fmt: str = "xlsx", basis: str = "verified", **options) -> bytes:
    if fmt == "csv":
        return dic_report_csv(session, period, basis)
    if fmt == "xlsx":
        return dic_report_xlsx(session, period, basis, **options)
    _check_report(session, period, basis, fmt)
    raise ValueError(fmt)  # pragma: no cover — _check_report refuses it first


def report_filename(period: int, basis: str, fmt: str) -> tuple[str, str]:
    """(the file name in Vietnamese, an ASCII fallback)."""
    suffix = "" if basis == "verified" else " (số liệu đã báo cáo)"
    ascii_suffix = "" if basis == "verified" else "-reported"
    return (f"Báo cáo chỉ tiêu CNTT {period}{suffix}.{fmt}",
            f"bao-cao-chi-tieu-cntt-{period}{ascii_suffix}.{fmt}")
