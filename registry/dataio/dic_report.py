"""The DIC's report for a period (báo cáo gửi tỉnh): an XLSX workbook with Vietnamese
headers (sheets "Chỉ tiêu", "Cơ quan", "Thủ tục", "Dịch vụ", "Chỉ số toàn tỉnh"), or its targets table alone as
CSV. ``verified`` by default; ``reported`` for auditors. Streamed, as open data is.
No Flask here.
"""

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Iterator

from sqlalchemy import case, func, select
from sqlmodel import Session

from registry.catalogue.levels import LEVELS
from registry.catalogue.validity import valid_in
from registry.core.errors import N_, ValidationFailed
from registry.core.numbers import exact, number, percent
from registry.core.vocabulary import KIND_LABELS, REPORT_LABELS, RESULT_LABELS, STATE_LABELS, TIER_LABELS
from registry.dataio.dic_agency_sheets import breakdown_sheets, ranking_sheet
from registry.dataio.opendata import (
    BATCH_SIZE,
    agencies_statement,
    moment,
    read_in_batches,
    report_value,
    services_statement,
)
from registry.dataio.streams import Chunks, csv_stream, yes_no
from registry.dataio.xlsx import Sheet, Style, xlsx_stream
from registry.models import REPORT_FIELDS, REPORT_FLAGS, Agency, Service, Unit
from registry.sample import shows_sample_data
from registry.submissions.periods import check_basis, period_or_404
from registry.submissions.workflow import display_state
from registry.targets import cache as results_cache
from registry.targets.basis import BasisJoin
from registry.targets.drilldown import procedure_drilldown
from registry.targets.engine import is_provisional
from registry.targets.results import TargetResult

REPORT_FORMATS = ("xlsx", "csv")
VIETNAM_TIME = timezone(timedelta(hours=7))  # Điện Biên keeps UTC+7 all year

# --- the DIC's report: fixed Vietnamese words ----------------------------------------

STATUS_VI = RESULT_LABELS
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
    # service targets count procedures; beside them, the same over services (offerings)
    "Đơn vị đếm", "Theo dịch vụ: tử số", "Theo dịch vụ: mẫu số", "Theo dịch vụ: kết quả",
)
TARGET_WIDTHS = (26, 60, 50, 14, 11, 10, 10, 16, 20, 10, 11, 14, 12, 12, 12)
COUNTING_UNIT_VI = {"procedure": "thủ tục", "agency": "cơ quan"}

SERVICE_HEADERS_VI = (
    "Mã dịch vụ", "Mã thủ tục hành chính", "Tên thủ tục", "Mã cơ quan", "Cơ quan", "Lĩnh vực", "Mức độ",
    "Minh chứng: trang thông tin thủ tục", "Minh chứng: mẫu đơn, tờ khai", "Minh chứng: nộp hồ sơ trực tuyến",
    "Minh chứng: thanh toán lệ phí trực tuyến", "Có số liệu trong cơ sở tính",
)
SERVICE_WIDTHS = (16, 16, 60, 24, 40, 24, 9, 40, 40, 40, 40, 14)
PROCEDURE_HEADERS_VI = (
    "Mã thủ tục hành chính", "Tên thủ tục", "Số cơ quan thực hiện", "Số cơ quan có số liệu",
    "Mức độ (thấp nhất trong các cơ quan thực hiện)",
)
PROCEDURE_WIDTHS = (18, 60, 14, 14, 20)

INDICATOR_HEADERS_VI = (
    "Mã", "Chỉ số", "Căn cứ", "Mức cần đạt", "Giá trị", "Tử số", "Mẫu số", "Đánh giá", "Nguồn số liệu",
    "Minh chứng", "Thời hạn",
)
INDICATOR_WIDTHS = (30, 60, 40, 14, 11, 10, 10, 18, 50, 40, 10)
INDICATOR_STATUS_VI = {**STATUS_VI, "insufficient_data": "chưa đủ số liệu (tạm tính)", "no_data": "không có số liệu"}
COMPARATOR_VI = {"<": "dưới", "<=": "không quá", ">": "trên", ">=": "từ"}

# --- the DIC's report -------------------------------------------------------------------------


def report_indicator_rows(session: Session, year: int) -> Iterator[tuple]:
    """The province-wide indicators (verified values only), in the order of INDICATOR_HEADERS_VI."""
    from registry.indicators.results import indicator_results
    from registry.models import ReportingPeriod

    for r in indicator_results(session, session.get(ReportingPeriod, year)):
        i = r.indicator
        unit = {"percent": "\u00a0%", "km": " km", "people_per_point": " người/điểm"}.get(i.unit, "")
        yield (i.code, i.title_vi, i.citation, f"{COMPARATOR_VI[i.comparator]} {exact(i.threshold, 'vi')}{unit}",
               None if r.value is None else Decimal(r.value), r.numerator, r.denominator,
               INDICATOR_STATUS_VI[r.status], r.source, r.evidence_url, i.deadline)

def _threshold_vi(target) -> str:
    word = "trên" if target.comparator == ">" else "≥"
    shown = percent(target.threshold, "vi", 0) if target.unit == Unit.percent.value else number(target.threshold, "vi")
    return f"{word} {shown}"


def _coverage_vi(result: TargetResult) -> str:
    covered, total = result.coverage.covered, result.coverage.total
    if total == 0:
        return "0/0"
    return f"{number(covered, 'vi')}/{number(total, 'vi')} ({percent(Fraction(covered * 100, total), 'vi')})"


def report_target_rows(results: list[TargetResult]) -> Iterator[tuple]:
    """The targets table of the DIC's report, in the order of TARGET_HEADERS_VI."""
    for r in results:
        t = r.target
        yield (t.code, t.title_vi, t.citation, _threshold_vi(t), r.value, r.numerator, r.denominator,
               STATUS_VI[r.status], _coverage_vi(r), t.deadline,
               None if r.status in ("no_data", "insufficient_data") else r.shortfall,
               COUNTING_UNIT_VI[r.counting_unit],
               *((r.offerings.numerator, r.offerings.denominator, r.offerings.value) if r.offerings is not None
                 else (None, None, None)))


def _state_vi(state: str | None, verified_sequence: int | None) -> str:
    if state is None:
        return NO_SUBMISSION_VI
    return STATE_LABELS[display_state(state, verified_sequence)]


def _level_counts(session: Session, period: int, basis: str) -> dict[int, dict[int, int]]:
    """agency id → {level: number of its services valid in the period counted at that level}: one
    grouped query."""
    figures = BasisJoin(period, basis)
    level = figures.level()
    statement = (select(Service.agency_id, level, func.count())
                 .join(Agency, Agency.id == Service.agency_id)
                 .where(valid_in(Service, period), valid_in(Agency, period)))
    statement = figures.join_statuses(figures.join(statement, Service.agency_id), Service.id)
    counts: dict[int, dict[int, int]] = {}
    for agency_id, lv, n in session.execute(statement.group_by(Service.agency_id, level)).all():
        counts.setdefault(agency_id, {})[int(lv)] = int(n)
    return counts


TIER_ORDER = {"province": 0, "district": 1, "commune": 2}


def _report_agency_rows(session: Session, period: int, basis: str, batch_size: int) -> Iterator[tuple]:
    counts = _level_counts(session, period, basis)  # before the stream opens
    figures = BasisJoin(period, basis)
    statement = (
        agencies_statement(figures)
        .add_columns(figures.submission.state, figures.submission.verified_sequence)
        .where(valid_in(Agency, period))
        .order_by(case(TIER_ORDER, value=Agency.tier, else_=9), Agency.name_sort, Agency.code)
    )
    for r in read_in_batches(session, statement, batch_size):
        values = r._mapping
        by_level = counts.get(r.id, {})
        report = [report_value(f, values[f]) for f in REPORT_FIELDS]
        yield (r.code, r.name, TIER_LABELS.get(r.tier, r.tier), KIND_LABELS.get(r.kind, r.kind), r.parent_code,
               _state_vi(r.state, r.verified_sequence), yes_no(bool(r.in_basis)),
               *[yes_no(v) if f in REPORT_FLAGS else v for f, v in zip(REPORT_FIELDS, report)],
               *[by_level.get(level.number, 0) for level in LEVELS], sum(by_level.values()))


def _agency_headers_vi(period: int) -> tuple[str, ...]:
    return (
        "Mã cơ quan", "Tên cơ quan", "Cấp", "Loại", "Cơ quan cấp trên", f"Trạng thái báo cáo kỳ {period}",
        "Có số liệu trong cơ sở tính", *[REPORT_LABELS[f] for f in REPORT_FIELDS],
        *[f"Số dịch vụ mức {level.number}" for level in LEVELS], "Tổng số dịch vụ",
    )


def _report_service_rows(session: Session, period: int, basis: str, batch_size: int) -> Iterator[tuple]:
    for r in read_in_batches(session, services_statement(period, basis), batch_size):
        yield (r.code, r.procedure_code, r.name, r.agency_code, r.agency_name, r.sector,
               None if r.level is None else int(r.level),
               r.info_url, r.form_url, r.submission_url, r.payment_url, yes_no(bool(r.in_basis)))


def _report_procedure_rows(session: Session, period: int, basis: str, batch_size: int) -> Iterator[tuple]:
    """Each procedure as the service targets count it: its offerings, how many are
    known, and its level (the lowest of its offerings; "chưa có dữ liệu" while one is unknown)."""
    statement = procedure_drilldown(period, basis, 0)
    columns = statement.selected_columns
    for r in read_in_batches(session, statement.order_by(columns.name_sort, columns.code), batch_size):
        yield (r.code, r.name, int(r.offerings), int(r.known),
               int(r.level) if r.level is not None else STATUS_VI["no_data"])


def _preamble(session: Session, period: int, basis: str, now: datetime) -> list[str]:
    lines = [REPORT_TITLE_VI.format(year=period),
             f"Cơ sở tính: {BASIS_VI[basis]} · Lập lúc: {now.astimezone(VIETNAM_TIME).strftime('%H:%M ngày %d/%m/%Y')}"]
    if shows_sample_data(session):
        lines.append(DEMO_VI)
    if is_provisional(session, period):
        lines.append(f"Số liệu tạm tính: kỳ báo cáo {period} chưa khóa; chỉ tiêu chưa đủ dữ liệu thì chưa đánh giá.")
    return lines


def _check_report(session: Session, period, basis: str | None, fmt: str) -> tuple[int, str]:
    year = period_or_404(session, period).year
    basis = check_basis(basis)
    if fmt not in REPORT_FORMATS:
        raise ValidationFailed(N_("Định dạng phải là xlsx hoặc csv."), fields={"format": N_("không hợp lệ")})
    return year, basis


def _report_value_style(row) -> Style:
    """A result keeps its one decimal and shows "%" when its threshold is a percentage; a count is whole."""
    return Style.percent if row[3].endswith("%") else Style.whole


def dic_report_stream(session: Session, period, fmt: str = "xlsx", basis: str = "verified", *,
                      batch_size: int = BATCH_SIZE, now: datetime | None = None) -> Chunks:
    """The DIC's report as a stream of bytes chunks: a workbook ("Chỉ tiêu", "Cơ quan",
    "Thủ tục", "Dịch vụ", "Chỉ số toàn tỉnh", and on verified data "Xếp hạng" and a sheet per
    target by agency), or as CSV the targets table alone. Checks at once: NotFound for an
    unknown period, ValidationFailed for an unknown basis or format."""
    year, basis = _check_report(session, period, basis, fmt)
    results = results_cache.target_results(session, year, basis)
    if fmt == "csv":
        return csv_stream(TARGET_HEADERS_VI, report_target_rows(results))
    preamble = _preamble(session, year, basis, moment(now))
    agency_widths = [16, 44, 10, 22, 20, 18, 14] + [16] * len(REPORT_FIELDS) + [11] * (len(LEVELS) + 1)
    return xlsx_stream([
        Sheet("Chỉ tiêu", TARGET_HEADERS_VI, report_target_rows(results), TARGET_WIDTHS, preamble,
              number_styles={TARGET_HEADERS_VI.index("Kết quả"): _report_value_style}),
        Sheet("Cơ quan", _agency_headers_vi(year), _report_agency_rows(session, year, basis, batch_size),
              agency_widths, preamble),
        Sheet("Thủ tục", PROCEDURE_HEADERS_VI, _report_procedure_rows(session, year, basis, batch_size),
              PROCEDURE_WIDTHS, preamble),
        Sheet("Dịch vụ", SERVICE_HEADERS_VI, _report_service_rows(session, year, basis, batch_size),
              SERVICE_WIDTHS, preamble),
        Sheet("Chỉ số toàn tỉnh", INDICATOR_HEADERS_VI, report_indicator_rows(session, year), INDICATOR_WIDTHS,
              preamble),
        # the ranking and the agency breakdowns are defined on verified data (SPEC §3c)
        *((ranking_sheet(session, year, preamble), *breakdown_sheets(session, results, year, preamble))
          if basis == "verified" else ()),
    ])


def dic_report(session: Session, period, fmt: str = "xlsx", basis: str = "verified", **options) -> bytes:
    """``dic_report_stream``, whole."""
    return b"".join(dic_report_stream(session, period, fmt, basis, **options))


def dic_report_xlsx(session: Session, period, basis: str = "verified", **options) -> bytes:
    return dic_report(session, period, "xlsx", basis, **options)


def dic_report_csv(session: Session, period, basis: str = "verified") -> bytes:
    return dic_report(session, period, "csv", basis)


def report_filename(period: int, basis: str, fmt: str) -> tuple[str, str]:
    """(the file name in Vietnamese, an ASCII fallback)."""
    suffix = "" if basis == "verified" else " (số liệu đã báo cáo)"
    ascii_suffix = "" if basis == "verified" else "-reported"
    return (f"Báo cáo chỉ tiêu CNTT {period}{suffix}.{fmt}",
            f"bao-cao-chi-tieu-cntt-{period}{ascii_suffix}.{fmt}")
