"""Exports at national scale (registry/dataio/): : streamed from the first rows,
memory that does not grow with the file, and workbooks that spreadsheets open.
Small data here; the 100 000-service figures are `make bench`'s."""

import csv
import io
import json
import tracemalloc
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest

from registry.core.errors import NotFound, ValidationFailed
from registry.dataio import dic_report, opendata, streams, xlsx
from registry.models import ReportingPeriod, Service

YEAR = 2015

def catalogue(make, services: int, agencies: int = 3, names=None, prefix="s"):
    """``services`` services over ``agencies`` agencies, the first agency's verified at level 1."""
    made = [make.agency(code=f"{prefix}-a-{n:03d}") for n in range(agencies)]
    rows = [Service(code=f"{prefix}-{n:05d}", name=(names or {}).get(n, f"Thủ tục {n}"),
                    agency_id=made[n % agencies].id, sector="Hộ tịch") for n in range(services)]
    make.session.add_all(rows)
    make.session.commit()
    make.submission(made[0], YEAR, levels={s.id: 1 for s in rows if s.agency_id == made[0].id})
    return rows


def small_chunks(monkeypatch, size: int = 4096) -> None:
    """Chunks of ``size`` bytes in every writer of files."""
    for module in (streams, xlsx):
        monkeypatch.setattr(module, "CHUNK_BYTES", size)


class CountingRows:
    """Wraps a row generator of registry/dataio/opendata.py and counts what was taken from it."""

    def __init__(self, monkeypatch, name):
        self.taken = 0
        real = getattr(opendata, name)

        def counted(*args, **kwargs):
            for row in real(*args, **kwargs):
                self.taken += 1
                yield row

        monkeypatch.setattr(opendata, name, counted)


@pytest.mark.parametrize("fmt", opendata.OPEN_DATA_FORMATS)
def test_the_first_chunk_leaves_before_the_last_row_is_read(db, make, monkeypatch, fmt):
    catalogue(make, 2000)
    small_chunks(monkeypatch)
    rows = CountingRows(monkeypatch, "service_rows")
    stream = opendata.open_data_stream(db, "services", YEAR, fmt, batch_size=25)
    assert rows.taken == 0  # nothing read before the first chunk is asked for
    first = next(stream)
    # the workbook's compressor holds back what it has not packed yet: a few hundred rows at most
    assert first and 0 < rows.taken < 1000
    rest = b"".join(stream)
    assert rows.taken == 2000 and len(first + rest) > 4096


def streamed_peak(db, fmt: str) -> tuple[int, int]:
    """(peak bytes allocated while streaming the services data set, its size), the chunks thrown away."""
    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in opendata.open_data_stream(db, "services", YEAR, fmt, batch_size=50))
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", opendata.OPEN_DATA_FORMATS)
def test_memory_does_not_grow_with_the_file(db, make, monkeypatch, fmt):
    small_chunks(monkeypatch)  # both files fill many chunks
    catalogue(make, 1000)
    streamed_peak(db, fmt)  # statements compiled, caches filled, buffers at their size
    small_peak, small_size = streamed_peak(db, fmt)
    catalogue(make, 7000, prefix="t")
    big_peak, big_size = streamed_peak(db, fmt)
    assert big_size > 6 * small_size
    # Eight times the rows, about the same peak. It is not exactly the same: the largest block the
    # compressor hands back grows in steps of a few tens of KiB with the data (seen: +30 to +72 KiB).
    # Holding the 7000 more rows would take more: their text alone is 0.47 MB as CSV, 1.5 MB as JSON and
    # 2.9 MB as worksheet XML, and as Python rows several times that.
    assert big_peak - small_peak < 256 * 1024, (small_peak, big_peak, big_size)


def test_a_bad_request_is_refused_before_any_byte(db, make):
    catalogue(make, 3)
    with pytest.raises(NotFound):
        opendata.open_data_stream(db, "services", 2099, "csv")
    with pytest.raises(ValueError):
        opendata.open_data_stream(db, "services", YEAR, "pdf")
    with pytest.raises(ValidationFailed):
        dic_report.dic_report_stream(db, YEAR, "pdf")
    with pytest.raises(ValidationFailed):
        dic_report.dic_report_stream(db, YEAR, "xlsx", "guess")


TRICKY = {
    0: "Cấp <giấy> phép & \"đăng ký\" 'lại'",
    1: "=HYPERLINK(\"http://evil.example\")",
    2: "dòng một\ndòng hai",
    3: "có ký tự điều khiển\x07 và \x1b",
    4: "x" * 250,  # (500, the longest name allowed, overflows name_sort's 1200 characters on PostgreSQL)
}


def test_the_workbook_is_a_valid_package_that_spreadsheets_read(db, make):
    catalogue(make, 12, names=TRICKY)
    body = dic_report.dic_report(db, YEAR, "xlsx")
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        assert package.testzip() is None
        names = package.namelist()
        assert names[0] == "[Content_Types].xml"
        for name in names:
            ElementTree.fromstring(package.read(name))  # every part is well-formed XML
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames[:6] == ["Chỉ tiêu", "Cơ quan", "Thủ tục", "Dịch vụ", "Chỉ số toàn tỉnh", "Xếp hạng"]
    assert wb.sheetnames[6:] == [f"CT{n} theo cơ quan" for n in range(1, len(wb.sheetnames) - 5)]
    services = wb["Dịch vụ"]
    header_row = int(services.freeze_panes[1:]) - 1
    header = [c for c in services[header_row]]
    assert [c.value for c in header] == list(dic_report.SERVICE_HEADERS_VI)
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("DDE3EA") for c in header)
    name, level, in_basis = (dic_report.SERVICE_HEADERS_VI.index(h) for h in
                             ("Tên thủ tục", "Mức độ", "Có số liệu trong cơ sở tính"))
    assert services.column_dimensions["C"].width == 60 and name == 2  # after the procedure's code
    rows = {r[0]: r for r in services.iter_rows(min_row=header_row + 1, values_only=True)}
    assert len(rows) == 12
    assert rows["s-00000"][1] == "s-00000"  # each service its own procedure
    assert rows["s-00000"][name] == TRICKY[0]
    assert rows["s-00001"][name] == "'" + TRICKY[1]  # never a formula
    assert rows["s-00002"][name] == TRICKY[2]
    assert rows["s-00003"][name] == "có ký tự điều khiển và "
    assert rows["s-00004"][name] == TRICKY[4]
    assert rows["s-00000"][level] == 1 and isinstance(rows["s-00000"][level], int)
    assert rows["s-00000"][in_basis] == "có" and rows["s-00001"][in_basis] == "không"
    targets = wb["Chỉ tiêu"]
    assert targets["A1"].font.b and targets["A1"].font.sz == 13
    value_column = dic_report.TARGET_HEADERS_VI.index("Kết quả") + 1
    formats = {targets.cell(row, 1).value: targets.cell(row, value_column).number_format
               for row in range(int(targets.freeze_panes[1:]), targets.max_row + 1)
               if isinstance(targets.cell(row, value_column).value, (int, float))}
    assert formats["services_level1_pct"] == '0.0"%"' and formats["services_level3_count"] == "0"


def test_open_data_says_the_same_in_every_format(db, make):
    catalogue(make, 9, names=TRICKY)
    from_csv = list(csv.reader(io.StringIO(opendata.open_data(db, "services", YEAR, "csv").decode("utf-8-sig"),
                                           newline="")))
    ws = openpyxl.load_workbook(io.BytesIO(opendata.open_data(db, "services", YEAR, "xlsx"))).active
    from_xlsx = [[("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for v in row]
                 for row in ws.iter_rows(values_only=True)]
    assert from_csv[0] == list(opendata.SERVICE_COLUMNS) == from_xlsx[0]
    assert sorted(from_csv[1:]) == sorted(from_xlsx[1:]) and len(from_csv) == 10
    name = opendata.SERVICE_COLUMNS.index("name")
    assert {r[name] for r in from_csv} >= {TRICKY[0], "'" + TRICKY[1], TRICKY[2], TRICKY[4]}
    from_json = json.loads(opendata.open_data(db, "services", YEAR, "json"))
    names = {row["code"]: row["name"] for row in from_json["rows"]}
    assert names["s-00001"] == TRICKY[1]  # JSON is data: no spreadsheet reads it, its text is as it is
    assert {row["code"] for row in from_json["rows"]} == {r[0] for r in from_csv[1:]}


def test_a_closed_periods_open_data_is_what_it_said_while_open(db, make):
    """Closing publishes the figures (rule 12); the files read from it keep every column."""
    from registry.submissions.periods import close_period
    from tests.factories import TEST_ACTOR

    catalogue(make, 6, names=TRICKY)
    db.get(Service, 2).procedure_code = "1.000042"  # an offering of a shared procedure
    db.commit()
    before = {fmt: opendata.open_data(db, "services", YEAR, fmt) for fmt in ("csv", "json")}
    close_period(db, TEST_ACTOR, db.get(ReportingPeriod, YEAR))
    db.commit()
    assert opendata.published_rows(db, YEAR, "verified", "services") is not None  # read from what was published
    assert opendata.open_data(db, "services", YEAR, "csv") == before["csv"]
    rows = json.loads(opendata.open_data(db, "services", YEAR, "json"))["rows"]
    assert rows == json.loads(before["json"])["rows"]
    assert {r["code"]: r["procedure_code"] for r in rows}["s-00001"] == "1.000042"


def test_downloads_are_streamed(client, db, make):
    catalogue(make, 5)
    for fmt in opendata.OPEN_DATA_FORMATS:
        response = client.get(f"/open-data/{YEAR}/services.{fmt}")
        assert response.status_code == 200 and response.is_streamed
        assert response.headers["Content-Type"] == streams.MEDIA_TYPES[fmt]
        body = response.get_data()
        response.close()
        if fmt == "csv":
            assert body == opendata.open_data(db, "services", YEAR, "csv")
        elif fmt == "xlsx":
            assert openpyxl.load_workbook(io.BytesIO(body)).active.max_row == 6


def test_registry_export_writes_the_streamed_workbook(runner, db, make, tmp_path):
    catalogue(make, 4)
    path = tmp_path / "report.xlsx"
    result = runner.invoke(args=["export", "--period", str(YEAR), "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path).sheetnames[:6] == ["Chỉ tiêu", "Cơ quan", "Thủ tục", "Dịch vụ",
                                                           "Chỉ số toàn tỉnh", "Xếp hạng"]


def test_a_download_holds_no_connection_once_its_last_byte_is_made(app, client, db, make):
    """The body streams after the view has returned; its database connection goes back
    to the pool with the last chunk, even if the response is never closed (on
    PostgreSQL an open transaction would block, among others, the next test's TRUNCATE)."""
    catalogue(make, 20)
    db.close()
    with app.app_context():
        from registry.web.db import get_engine

        pool = get_engine().pool
    for path in ("services.csv", "agencies.xlsx", "services.json"):
        response = client.get(f"/open-data/{YEAR}/{path}")
        assert response.status_code == 200
        assert pool.checkedout() == 0, path
