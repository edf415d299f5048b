"""Fuzzing the importer with hypothesis (issue #6).

registry.dataio.importing.import_file gets, for each of the four kinds, random and
malformed files: CSV with plausible and hostile cells (Vietnamese, control
characters, formula payloads, huge numbers), a header in any order with
unknown or repeated columns, ragged rows and stray quotes, in UTF-8 with or
without a BOM, UTF-16, latin-1 and cp1258, with NUL bytes or cut short; XLSX
workbooks with typed cells (huge numbers, formulas, dates where numbers
belong, booleans, NaN), cut short, with a broken sheet, a wrong dimension
record, or random bytes behind the ZIP magic.

Every outcome is an ImportResult (its errors each with a row, a column and a
reason) or a DomainError with a message — never another exception; a refused
file writes nothing; an accepted one imported again changes nothing. The
`registry import` command answers every refused file with a non-zero exit and
a message, never a traceback, and commits nothing.
"""

import csv
import io
import re
import zipfile
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from registry.core.errors import DomainError
from registry.dataio.importing import FORMATS, ImportResult, import_file
from registry.models import REPORT_COUNTS, REPORT_FLAGS
from tests.factories import TEST_ACTOR
from tests.test_fuzz_api import (
    CLOSED,
    FORMULAS,
    FUZZ_SETTINGS,
    OPEN,
    STATES,
    Registry,
    changes_between,
    database_snapshot,
    hostile_text,
    huge_numbers,
)

KINDS = list(FORMATS)

# --- cells ---------------------------------------------------------------------------------------------

codes = st.sampled_from([*STATES, "so-moi", "1.001", "SO-TP", "so tp", "a" * 65, "", "so-tp\x00", "-x"])
service_codes = st.sampled_from(["so-tp.1", "so-tp.2", "so-yt.1", "khong-co", ""])
years = st.sampled_from([str(OPEN), str(CLOSED), "2013", "1999", "2101", "２０１５", "2015.0", "-2015", ""])
flags = st.sampled_from(["1", "0", "có", "không", "Có", "KHÔNG", "yes", "no", "true", "x", "maybe", ""])
counts = st.sampled_from(["0", "40", "38", "1000", "900", "10000000", "10000001", "-1", "1e3", "4.0", ""])
urls = st.sampled_from(["https://dvc.example/a", "http://dvc.example/b", "", "javascript:alert(1)",
                        "https://dvc.example/" + "a" * 3000, "https://dvc.example/đăng ký"])
names = st.sampled_from(["Sở Tư pháp", "UBND huyện Mường Nhé", "Đăng ký khai sinh", "", " ", "x" * 600])
PLAUSIBLE = {
    "code": codes, "name": names, "name_en": names, "parent_code": codes, "agency_code": codes, "sector": names,
    "tier": st.sampled_from(["province", "district", "commune", "Province", "tinh", ""]),
    "kind": st.sampled_from(["department", "school", "people_committee", "hospital", "x", ""]),
    "active": flags, "service_code": service_codes, "period": years,
    "level": st.sampled_from(["0", "1", "2", "3", "4", "-1", "1.0", ""]),
    "info_url": urls, "form_url": urls, "submission_url": urls, "note": names,
    **{name: flags for name in REPORT_FLAGS}, **{name: counts for name in REPORT_COUNTS},
}


def header_for(kind: str):
    columns = list(FORMATS[kind].columns)
    return st.one_of(
        st.just(columns), st.permutations(columns), st.just(list(FORMATS[kind].required)),
        st.lists(st.sampled_from([*columns, "extra", "", "CODE", " code ", "cột"]), min_size=1, max_size=len(columns)),
    )


def text_cell(column: str):
    return st.one_of(PLAUSIBLE.get(column, names), PLAUSIBLE.get(column, names), hostile_text,
                     st.sampled_from(FORMULAS), huge_numbers.map(str))


def table_for(kind: str):
    """(header, rows of text cells), rows sometimes shorter or longer than the header."""
    def rows(header):
        row = st.tuples(*(text_cell(c) for c in header)).map(list)
        ragged = st.lists(st.one_of(names, hostile_text), max_size=len(header) + 2)
        return st.tuples(st.just(header), st.lists(st.one_of(row, row, row, ragged), max_size=6))
    return header_for(kind).flatmap(rows)


# --- files ---------------------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1258"]


@st.composite
def csv_files(draw, kind: str) -> bytes:
    header, rows = draw(table_for(kind))
    lines = [header, *rows]
    if draw(st.booleans()):
        out = io.StringIO()
        csv.writer(out, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
                   lineterminator=draw(st.sampled_from(["\r\n", "\n"]))).writerows(lines)
        text = out.getvalue()
    else:  # joined by hand: stray quotes, commas and newlines inside cells break the rows
        text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(",".join(cells) for cells in lines)
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    return draw(mangled(data))


def mangled(data: bytes):
    """The file as made, cut short, with NUL bytes or with a few bytes flipped."""
    def cut(at):
        return data[:at]

    def with_nul(at):
        return data[:at] + b"\x00" + data[at:]

    def flipped(at):
        return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:] if at < len(data) else data

    positions = st.integers(min_value=0, max_value=max(len(data) - 1, 0))
    return st.one_of(st.just(data), st.just(data), st.just(data), positions.map(cut), positions.map(with_nul),
                     positions.map(flipped))


typed_cells = st.one_of(
    huge_numbers, st.floats(), st.booleans(), st.none(),
    st.dates(min_value=date(1900, 1, 2)), st.datetimes(min_value=datetime(1900, 1, 2)),
    st.sampled_from(["=1+1", '=HYPERLINK("http://evil.example","x")', "=A1", "=1/0", "=SUM(A:A)"]),
)


@st.composite
def xlsx_files(draw, kind: str) -> bytes:
    header, rows = draw(table_for(kind))
    workbook = Workbook()
    sheet = workbook.active
    for cells in [header, *rows]:
        # a sheet cannot hold control characters; typed values stand in for some cells
        sheet.append([draw(st.one_of(st.just(ILLEGAL_CHARACTERS_RE.sub("", c)), typed_cells)) for c in cells])
    data = saved(workbook)
    return draw(st.one_of(mangled(data), st.just(data), broken_sheets(data)))


def saved(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return replace_sheet(out.getvalue())


SHEET = "xl/worksheets/sheet1.xml"
SAVED_AT = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def replace_sheet(data: bytes, change=lambda xml: xml) -> bytes:
    """The workbook with its first sheet's XML passed through ``change``, and the moment it was
    saved fixed (hypothesis needs the same bytes each time it replays an example)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == SHEET:
                content = change(content)
            elif item.filename == "docProps/core.xml":
                content = SAVED_AT.sub(b"2015-01-01T00:00:00Z", content)
            target.writestr(zipfile.ZipInfo(item.filename, date_time=(2015, 1, 1, 0, 0, 0)), content,
                            zipfile.ZIP_DEFLATED)
    return out.getvalue()


def broken_sheets(data: bytes):
    """The sheet's XML cut short, or its dimension record wrong (too small, or all 16384 columns)."""
    def dimension(ref: bytes):
        return lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', xml)

    return st.sampled_from([lambda xml: xml[: len(xml) // 2], dimension(b"A1"), dimension(b"A1:XFD3")]).map(
        lambda change: replace_sheet(data, change))


random_zips = st.binary(max_size=300).map(lambda tail: b"PK\x03\x04" + tail)


def files_for(kind: str):
    """(file name, bytes) of any sort; the name's extension does not always match the content."""
    return st.one_of(
        st.tuples(st.sampled_from(["f.csv", "f.CSV", "f.txt"]), csv_files(kind)),
        st.tuples(st.sampled_from(["f.xlsx", "f.XLSX", "f.csv"]), xlsx_files(kind)),
        st.tuples(st.sampled_from(["f.xlsx", "f.csv"]), random_zips),
        st.tuples(st.just("f.csv"), st.binary(max_size=200)),
    )


# --- the importer -----------------------------------------------------------------------------------------

@pytest.fixture
def registry(app, make_agency, make_service):
    made = Registry(app, make_agency, make_service)
    made.rebuild()
    return made


def check_import(db, kind: str, filename: str, data: bytes, as_verified: bool) -> bool:
    """Import into the test's session, check the outcome, and roll back. Returns whether it was accepted."""
    db.rollback()
    before = database_snapshot(db)
    try:
        result = import_file(db, TEST_ACTOR, kind, filename, data, as_verified=as_verified)
    except DomainError as exc:
        assert str(exc.message).strip(), "a refusal must say why"
        db.rollback()  # the boundary's part: nothing reaches the database
        assert database_snapshot(db) == before
        return False
    assert isinstance(result, ImportResult) and result.kind == kind
    if not result.ok:
        for error in result.errors:
            assert error.row >= 1 and str(error.column).strip() and str(error.reason).strip(), error
        assert database_snapshot(db) == before, "a file with errors wrote rows"
        db.rollback()
        return False
    first = database_snapshot(db)
    again = import_file(db, TEST_ACTOR, kind, filename, data, as_verified=as_verified)
    assert again.ok and again.created == 0 and again.updated == 0, again
    assert changes_between(first, database_snapshot(db)) <= {"audit_event+"}, "importing the same file twice changed it"
    db.rollback()
    return True


@pytest.mark.parametrize("kind", KINDS)
def test_every_file_is_imported_or_refused_with_reasons(registry, runner, db, tmp_path, kind):
    """Through import_file, then through `registry import --dry-run`, which must agree."""
    @FUZZ_SETTINGS
    @given(file=files_for(kind), as_verified=st.booleans())
    def one_file(file, as_verified):
        filename, data = file
        accepted = check_import(db, kind, filename, data, as_verified)
        path = tmp_path / filename
        path.write_bytes(data)
        before = database_snapshot(db)
        result = runner.invoke(args=["import", kind, str(path), "--dry-run", *(["--as-verified"] * as_verified)])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output and result.output.strip()
        assert (result.exit_code == 0) == accepted, result.output
        db.rollback()
        assert database_snapshot(db) == before, "--dry-run wrote"

    one_file()


def test_a_workbook_with_a_wrong_dimension_record_is_read_in_full(registry, db):
    """Some programs write a dimension record smaller than the sheet; the rows past it still count."""
    workbook = Workbook()
    workbook.active.append(list(FORMATS["agencies"].columns))
    workbook.active.append(["so-moi", "Sở Khoa học và Công nghệ", "province", "department"])
    data = replace_sheet(saved(workbook), lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:D1"', xml))
    result = import_file(db, TEST_ACTOR, "agencies", "f.xlsx", data)
    assert result.ok and result.created == 1, result
    db.rollback()


# --- the command ------------------------------------------------------------------------------------------

MALFORMED = {
    "empty.csv": b"",
    "latin1.csv": "code,name,tier,kind\nso-moi,Sở Tư pháp,province,department\n".encode("latin-1", "replace"),
    "utf16.csv": "code,name,tier,kind\nso-moi,Sở Tư pháp,province,department\n".encode("utf-16"),
    "cp1258.csv": "code,name,tier,kind\nso-moi,Sở Tư pháp,province,department\n".encode("cp1258", "replace"),
    "nul.csv": b"code,name,tier,kind\nso-moi,S\x00,province,department\n",
    "quote.csv": b'code,name,tier,kind\nso-moi,"S\xe1\xbb\x9f,province,department\n',
    "ragged.csv": b"code,name,tier,kind\nso-moi,a,province,department,extra,more\nso-2\n",
    "formula.csv": b'code,name,tier,kind\n=1+1,"=HYPERLINK(""http://evil.example"",""x"")",province,department\n',
    "random.xlsx": b"PK\x03\x04" + bytes(range(256)),
    "truncated.xlsx": None,  # made in the test: a real workbook cut in half
    "broken-sheet.xlsx": None,  # a real workbook whose sheet XML is cut in half
}


def _workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(list(FORMATS["agencies"].columns))
    workbook.active.append(["so-moi", "Sở Khoa học và Công nghệ", "", "province", "department", "", "1"])
    return saved(workbook)


@pytest.mark.parametrize("name", list(MALFORMED))
def test_the_command_refuses_malformed_files_without_a_traceback(registry, runner, db, tmp_path, name):
    data = MALFORMED[name]
    if name == "truncated.xlsx":
        data = _workbook()[: len(_workbook()) // 2]
    elif name == "broken-sheet.xlsx":
        data = replace_sheet(_workbook(), lambda xml: xml[: len(xml) // 2])
    path = tmp_path / name
    path.write_bytes(data)
    db.rollback()
    before = database_snapshot(db)
    result = runner.invoke(args=["import", "agencies", str(path)])
    assert result.exit_code not in (0, None), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and result.output.strip()
    db.rollback()
    assert database_snapshot(db) == before
