"""Open data and the DIC's report (CSV, XLSX, JSON). No Flask here.

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

Size: every file is made as a stream: ``open_data_stream`` and
``dic_report_stream`` check the request at once and return a generator of
bytes chunks, which the view hands to the response and the CLI writes to a
file; agencies and services are read with ``yield_per`` (a server-side cursor
on PostgreSQL, ``fetchmany`` on SQLite) and written as they come, so a
national catalogue (100 000 services) goes out from its first rows in bounded
memory. ``open_data`` and ``dic_report`` join the chunks for callers that want
the bytes whole.

XLSX is written here as a minimal SpreadsheetML package (inline strings, one
fixed style sheet) streamed through ``zipfile``, not with openpyxl: openpyxl's
write-only mode keeps each sheet in a temporary file until the workbook is
saved, so nothing could be sent before the last row, and without lxml it
writes about a thousand rows a second — a national catalogue would outlast
the server's request timeout. (openpyxl still reads workbooks: the importer,
the tests.)
"""

import csv
import enum
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Callable, Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from registry.catalogue.levels import EVIDENCE_FIELDS, LEVELS
from registry.core.errors import N_, ValidationFailed
from registry.core.vocabulary import KIND_LABELS, REPORT_LABELS, STATE_LABELS, TIER_LABELS
from registry.models import REPORT_FIELDS, REPORT_FLAGS, Agency, Service, Submission, Unit
from registry.sample.demo import is_loaded as demo_loaded
from registry.submissions.periods import check_basis, period_or_404
from registry.submissions.workflow import display_state
from registry.targets import cache as target_cache
from registry.targets.engine import BasisJoin, TargetResult

DATASETS = ("targets", "agencies", "services")
OPEN_DATA_FORMATS = ("csv", "xlsx", "json")
REPORT_FORMATS = ("xlsx", "csv")
OPEN_DATA_BASIS = "verified"  # the public is told only what has been verified
VIETNAM_TIME = timezone(timedelta(hours=7))  # Điện Biên keeps UTC+7 all year
BATCH_SIZE = 1000
CHUNK_BYTES = 64 * 1024  # the size of the pieces a file is handed out in
BOM = "\ufeff"  # at the start of a CSV file: spreadsheets then read it as UTF-8

Chunks = Iterator[bytes]

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
    "code", "name", "name_en", "agency_code", "sector", "level", *EVIDENCE_FIELDS, "in_basis",
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
# Characters XML 1.0 cannot hold (and so no XLSX cell): C0 controls but tab, LF and CR; U+FFFE, U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- cells ---------------------------------------------------------------------------

def safe_text(value: str) -> str:
    """Text a spreadsheet will not run: a leading ``'`` before a formula-like start,
    and no control characters XLSX cannot hold."""
    value = XML_ILLEGAL.sub("", value)
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


def _yes_no(value) -> str | None:
    if value is None:
        return None
    return "có" if value else "không"


# --- CSV and JSON --------------------------------------------------------------------

class _TextChunks:
    """Text written bit by bit, handed out UTF-8 encoded in pieces of about CHUNK_BYTES."""

    def __init__(self):
        self.buffer = io.StringIO()

    def take(self, at_least: int | None = None) -> bytes | None:
        if self.buffer.tell() < (CHUNK_BYTES if at_least is None else at_least):
            return None
        data = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


def csv_stream(header: Iterable[str], rows: Iterable[Iterable]) -> Chunks:
    """UTF-8 with a BOM (so that Excel reads Vietnamese), CRLF line ends, formula-safe."""
    text = _TextChunks()
    text.buffer.write(BOM)
    writer = csv.writer(text.buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        chunk = text.take()
        if chunk:
            yield chunk
    yield text.take(at_least=0)


def json_stream(meta: dict, header: Iterable[str], rows: Iterable[Iterable]) -> Chunks:
    """``{…meta, "columns": […], "rows": [{column: value}, …]}`` in UTF-8, row by row."""
    header = list(header)
    text = _TextChunks()
    head = json.dumps({**meta, "columns": header}, ensure_ascii=False)
    text.buffer.write(head[:-1] + ', "rows": [')
    separator = "\n"
    for row in rows:
        text.buffer.write(separator + json.dumps(dict(zip(header, row)), ensure_ascii=False))
        separator = ",\n"
        chunk = text.take()
        if chunk:
            yield chunk
    text.buffer.write("\n]}\n")
    yield text.take(at_least=0)


def to_csv(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    return b"".join(csv_stream(header, rows))


def to_json(meta: dict, header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    return b"".join(json_stream(meta, header, rows))


# --- XLSX: a streamed SpreadsheetML package ----------------------------------------------

class Style(enum.IntEnum):
    """The cell formats of STYLES_XML (their index in its cellXfs)."""

    plain = 0
    title = 1  # bold, larger: a report's first line
    header = 2  # bold on grey, wrapped: a table's header row
    percent = 3  # one decimal and "%" (the value is already a percentage)
    whole = 4  # a whole number


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[float] | None = None
    preamble: Sequence[str] = ()  # lines above the header (a report's title); the first one is bold
    number_styles: dict[int, Callable[[Sequence], Style]] | None = None  # column → its numbers' style, by row


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml."
STYLES_XML = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0&quot;%&quot;"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="13"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE3EA"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


@cache
def _column(index: int) -> str:
    """The letters of the column at ``index`` (0: A, 25: Z, 26: AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cell(column: int, row: int, value, style: Style = Style.plain) -> str:
    if value is None:
        return ""
    ref = f'r="{_column(column)}{row}"' + (f' s="{style:d}"' if style else "")
    if value is True or value is False:
        return f'<c {ref} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f"<c {ref}><v>{value!r}</v></c>"
    return f'<c {ref} t="inlineStr"><is><t xml:space="preserve">{escape(safe_text(str(value)))}</t></is></c>'


def _row(number: int, values: Sequence, style: Style = Style.plain, number_styles=None) -> str:
    cells = []
    for column, value in enumerate(values):
        cell_style = style
        if number_styles and column in number_styles and isinstance(value, (int, float)) \
                and not isinstance(value, bool):
            cell_style = number_styles[column](values)
        cells.append(_cell(column, number, value, cell_style))
    return f'<row r="{number}">{"".join(cells)}</row>'


def _sheet_xml(sheet: Sheet) -> Iterator[str]:
    """The worksheet's XML in pieces: a frozen header under the preamble, column widths, the rows."""
    widths = sheet.widths or [max(10, min(40, len(str(h)) + 2)) for h in sheet.header]
    header_row = len(sheet.preamble) + 1
    columns = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    lines = [_row(n, [line], Style.title if n == 1 else Style.plain)
             for n, line in enumerate(sheet.preamble, start=1)]
    yield (f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheetViews>'
           f'<sheetView workbookViewId="0"><pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" '
           f'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>{columns}</cols><sheetData>'
           + "".join(lines) + _row(header_row, list(sheet.header), Style.header))
    batch, size = [], 0
    for number, row in enumerate(sheet.rows, start=header_row + 1):
        batch.append(_row(number, row, number_styles=sheet.number_styles))
        size += len(batch[-1])
        if size >= CHUNK_BYTES:  # rows go to the compressor in pieces, not one call each
            yield "".join(batch)
            batch, size = [], 0
    yield "".join(batch) + "</sheetData></worksheet>"


def _package_parts(titles: list[str]) -> list[tuple[str, str]]:
    sheets = range(1, len(titles) + 1)
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}styles+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_TYPE}worksheet+xml"/>'
                  for i in sheets)
        + "</Types>")
    package_rels = (
        f'{_XML}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    workbook = (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>'
        + "".join(f'<sheet name={quoteattr(title)} sheetId="{i}" r:id="rId{i}"/>' for i, title in zip(sheets, titles))
        + "</sheets></workbook>")
    workbook_rels = (
        f'{_XML}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
        + "".join(f'<Relationship Id="rId{i}" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                  for i in sheets)
        + f'<Relationship Id="rId{len(titles) + 1}" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        + "</Relationships>")
    return [("[Content_Types].xml", content_types), ("_rels/.rels", package_rels), ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels), ("xl/styles.xml", STYLES_XML)]


class _Output(io.RawIOBase):
    """Where zipfile writes the package: kept until taken (not seekable, so zipfile
    writes each part's sizes after it, as streaming writers do)."""

    def __init__(self):
        self.pending = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.pending += data
        return len(data)

    def take(self, at_least: int | None = None) -> bytes | None:
        if len(self.pending) < (CHUNK_BYTES if at_least is None else at_least) or not self.pending:
            return None
        data = bytes(self.pending)
        self.pending.clear()
        return data


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def xlsx_stream(sheets: Sequence[Sheet]) -> Chunks:
    """A workbook of ``sheets``, in chunks as its rows are written."""
    output = _Output()
    with zipfile.ZipFile(output, "w") as package:
        for name, xml in _package_parts([sheet.title for sheet in sheets]):
            package.writestr(_entry(name), xml.encode("utf-8"))
        for index, sheet in enumerate(sheets, start=1):
            with package.open(_entry(f"xl/worksheets/sheet{index}.xml"), "w") as part:
                for text in _sheet_xml(sheet):
                    part.write(text.encode("utf-8"))
                    chunk = output.take()
                    if chunk:
                        yield chunk
    last = output.take(at_least=0)
    if last:
        yield last


def to_xlsx(sheet_title: str, header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    return b"".join(xlsx_stream([Sheet(sheet_title, list(header), rows)]))


# --- reading: rows in batches ----------------------------------------------------------

def _stream(session: Session, statement, batch_size: int) -> Iterator:
    """The rows of ``statement``, fetched ``batch_size`` at a time (never all at once)."""
    result = session.execute(statement.execution_options(yield_per=batch_size))
    try:
        for partition in result.partitions(batch_size):
            yield from partition
    finally:
        result.close()


def _services_statement(period: int, basis: str):
    """Every active service of an active agency (the targets' denominator), with the
    level and evidence that count for it in the basis (level 0 when its agency's
    submission is not in the basis)."""
    figures = BasisJoin(period, basis)
    statement = (
        select(Service.code, Service.name, Service.name_en, Agency.code.label("agency_code"),
               Agency.name.label("agency_name"), Service.sector, figures.level().label("level"),
               *[figures.status(f).label(f) for f in EVIDENCE_FIELDS],
               figures.flag().label("in_basis"))
        .join(Agency, Agency.id == Service.agency_id)
        .where(Service.active, Agency.active)
        .order_by(Agency.code, Service.code)
    )
    return figures.join_statuses(figures.join(statement, Service.agency_id), Service.id)


def service_rows(session: Session, period: int, basis: str = OPEN_DATA_BASIS,
                 batch_size: int = BATCH_SIZE) -> Iterator[tuple]:
    """Open-data rows of the services (SERVICE_COLUMNS), read in batches."""
    for r in _stream(session, _services_statement(period, basis), batch_size):
        yield (r.code, r.name, r.name_en, r.agency_code, r.sector, int(r.level),
               r.info_url, r.form_url, r.submission_url, bool(r.in_basis))


def _agencies_statement(figures: BasisJoin):
    parent = aliased(Agency)
    statement = (
        select(Agency.id, Agency.code, Agency.name, Agency.name_en, Agency.tier, Agency.kind,
               parent.code.label("parent_code"), Agency.active, figures.flag().label("in_basis"),
               *[figures.field(f).label(f) for f in REPORT_FIELDS])
        .select_from(Agency)
        .join(parent, parent.id == Agency.parent_id, isouter=True)
    )
    return figures.join(statement, Agency.id)


def _report_value(name: str, value):
    if value is None:
        return None
    return bool(value) if name in REPORT_FLAGS else int(value)


def agency_rows(session: Session, period: int, basis: str = OPEN_DATA_BASIS,
                batch_size: int = BATCH_SIZE) -> Iterator[tuple]:
    """Open-data rows of every agency (AGENCY_COLUMNS), with the adoption report that
    counts in the basis (its last verified copy), or empty cells."""
    statement = _agencies_statement(BasisJoin(period, basis)).order_by(Agency.code)
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
        return target_rows(target_cache.target_results(session, period, basis))
    if dataset == "agencies":
        return agency_rows(session, period, basis, batch_size)
    if dataset == "services":
        return service_rows(session, period, basis, batch_size)
    raise ValueError(dataset)


# --- open data ----------------------------------------------------------------------------

def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).replace(microsecond=0)


def open_data_stream(session: Session, dataset: str, period, fmt: str, *, batch_size: int = BATCH_SIZE,
                     now: datetime | None = None) -> Chunks:
    """One open-data file as a stream of bytes chunks: ``dataset`` (targets, agencies,
    services) of ``period`` in ``fmt`` (csv, xlsx, json), verified figures only.
    Checks at once (before the first chunk is asked for): NotFound for an unknown
    period, ValueError for an unknown data set or format."""
    if dataset not in DATASETS:
        raise ValueError(dataset)
    if fmt not in OPEN_DATA_FORMATS:
        raise ValueError(fmt)
    year = period_or_404(session, period).year
    header = COLUMNS[dataset]
    rows = dataset_rows(session, dataset, year, OPEN_DATA_BASIS, batch_size)
    if fmt == "json":
        meta = {"dataset": dataset, "period": year, "basis": OPEN_DATA_BASIS,
                "generated_at": _now(now).isoformat(), "demonstration_data": demo_loaded(session)}
        return json_stream(meta, header, rows)
    if fmt == "csv":
        return csv_stream(header, rows)
    return xlsx_stream([Sheet(dataset, header, rows)])


def open_data(session: Session, dataset: str, period, fmt: str, **options) -> bytes:
    """``open_data_stream``, whole."""
    return b"".join(open_data_stream(session, dataset, period, fmt, **options))


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
    figures = BasisJoin(period, basis)
    level = figures.level()
    statement = (select(Service.agency_id, level, func.count())
                 .join(Agency, Agency.id == Service.agency_id)
                 .where(Service.active, Agency.active))
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
        _agencies_statement(figures)
        .add_columns(figures.submission.state, figures.submission.verified_sequence)
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


def _report_value_style(row) -> Style:
    """A result keeps its one decimal and shows "%" when its threshold is a percentage; a count is whole."""
    return Style.percent if row[3].endswith("%") else Style.whole


def dic_report_stream(session: Session, period, fmt: str = "xlsx", basis: str = "verified", *,
                      batch_size: int = BATCH_SIZE, now: datetime | None = None) -> Chunks:
    """The DIC's report as a stream of bytes chunks: a workbook ("Chỉ tiêu", "Cơ quan",
    "Dịch vụ"), or as CSV the targets table alone. Checks at once: NotFound for an
    unknown period, ValidationFailed for an unknown basis or format."""
    year, basis = _check_report(session, period, basis, fmt)
    results = target_cache.target_results(session, year, basis)
    if fmt == "csv":
        return csv_stream(TARGET_HEADERS_VI, report_target_rows(results))
    preamble = _preamble(session, year, basis, _now(now))
    agency_widths = [16, 44, 10, 22, 20, 18, 14] + [16] * len(REPORT_FIELDS) + [11] * (len(LEVELS) + 1)
    return xlsx_stream([
        Sheet("Chỉ tiêu", TARGET_HEADERS_VI, report_target_rows(results), TARGET_WIDTHS, preamble,
              number_styles={TARGET_HEADERS_VI.index("Kết quả"): _report_value_style}),
        Sheet("Cơ quan", _agency_headers_vi(year), _report_agency_rows(session, year, basis, batch_size),
              agency_widths, preamble),
        Sheet("Dịch vụ", SERVICE_HEADERS_VI, _report_service_rows(session, year, basis, batch_size),
              SERVICE_WIDTHS, preamble),
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
