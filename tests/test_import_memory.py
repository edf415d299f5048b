"""Small hostile import files cost little memory (issue #16, item 2; SECURITY.md).

A 100 KB XLSX whose rows each hold one cell at column XFD took a worker to
2.6 GB (openpyxl pads each row to 16 384 values); a 689 KB CSV with a
100 000-column header to 950 MB. Each file here is about 1 MB; it is imported
by the `registry import` command and by POST /admin/import, each in a process
of its own that measures the peak of Python's allocations (tracemalloc) while
the file is read and refused: under 100 MB, with a clear Vietnamese message.
"""

import io
import json
import subprocess
import sys
import textwrap
import zipfile

import pytest
from openpyxl import Workbook

from registry.core.errors import DomainError
from registry.dataio import tables
from registry.dataio.importing import import_file
from tests.factories import PASSWORD, TEST_ACTOR

LIMIT_MB = 100
AGENCY_HEADER = ["code", "name", "tier", "kind"]


def hostile_xlsx(tmp_path):
    """A workbook of about 1 MB: the header, then one cell at XFD on each row (the
    sheet's XML written here: openpyxl takes a minute to write it)."""
    path = tmp_path / "xfd.xlsx"
    book = Workbook()
    book.active.append(AGENCY_HEADER)
    plain = io.BytesIO()
    book.save(plain)
    head = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{n}</t></is></c>' for c, n in zip("ABCD", AGENCY_HEADER))
    rows = "".join(f'<row r="{r}"><c r="XFD{r}" t="inlineStr"><is><t>{r % 997}</t></is></c></row>'
                   for r in range(2, 150_000))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet '
             'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             f'<row r="1">{head}</row>{rows}</sheetData></worksheet>')
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = sheet.encode() if entry.filename == "xl/worksheets/sheet1.xml" else source.read(entry)
            target.writestr(entry, body)
    return path


def hostile_csv(tmp_path):
    """A header of 100 000 columns, then rows: about 1 MB."""
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(100_000))
    path.write_text(header + "\n" + "a,b\n" * ((1_000_000 - len(header)) // 4), encoding="utf-8")
    return path


def long_csv(tmp_path):
    """An ordinary header, then more one-letter rows than an import may have: 1 MB."""
    path = tmp_path / "long.csv"
    path.write_text(",".join(AGENCY_HEADER) + "\n" + "a\n" * 500_000, encoding="utf-8")
    return path


def shared_strings_xlsx(tmp_path):
    """A workbook of about 1 MB whose shared-strings table holds millions of strings: empty ones,
    with a little noise so that it compresses less than 200:1 (the container check's limit).
    openpyxl reads the whole table into a list before the first row (a 1 MB file held 15
    million strings)."""
    import random

    path = tmp_path / "strings.xlsx"
    book = Workbook()
    book.active.append(AGENCY_HEADER)
    plain = io.BytesIO()
    book.save(plain)
    noise = random.Random(16)
    chunks = []
    for _ in range(40_000):
        chunks.append("<si><t/></si>" * 200)
        chunks.append(f"<si><t>{noise.getrandbits(64):x}</t></si>")
    table = ('<?xml version="1.0" encoding="UTF-8"?><sst '
             'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + "".join(chunks) + "</sst>")
    strings_type = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = source.read(entry)
            if entry.filename == "[Content_Types].xml":  # openpyxl writes inline strings: add the table
                body = body.decode().replace("</Types>", strings_type).encode()
            target.writestr(entry, body)
        target.writestr("xl/sharedStrings.xml", table.encode())
    with zipfile.ZipFile(path) as written:
        entry = written.getinfo("xl/sharedStrings.xml")
        assert entry.file_size < tables.MAX_XLSX_RATIO * entry.compress_size  # past the container check
    return path


FILES = {"xlsx": hostile_xlsx, "csv": hostile_csv, "rows": long_csv, "strings": shared_strings_xlsx}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {kind: make(folder) for kind, make in FILES.items()}

CLI = textwrap.dedent("""
    import json, sys, tracemalloc
    from click.testing import CliRunner
    from registry.cli import main
    import openpyxl, registry.dataio.importing  # noqa: F401  (modules loaded before measuring)
    tracemalloc.start()
    result = CliRunner().invoke(main, ["import", "--dry-run", "agencies", sys.argv[1]],
                                env={"DATABASE_URL": sys.argv[2]})
    print(json.dumps({"peak": tracemalloc.get_traced_memory()[1], "exit": result.exit_code,
                      "output": result.output}))
""")

WEB = textwrap.dedent("""
    import io, json, os, sys, tracemalloc
    from registry import create_app
    import openpyxl, registry.dataio.importing  # noqa: F401
    app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[2], "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    assert client.post("/login", data={"email": "admin@example.vn", "password": sys.argv[3]}).status_code == 302
    data = open(sys.argv[1], "rb").read()
    tracemalloc.start()
    response = client.post("/admin/import", data={"kind": "agencies", "check": "y",
                           "file": (io.BytesIO(data), os.path.basename(sys.argv[1]))},
                           content_type="multipart/form-data")
    print(json.dumps({"peak": tracemalloc.get_traced_memory()[1], "exit": response.status_code,
                      "output": response.get_data(as_text=True)}))
""")


def measure(script: str, *args) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", sorted(FILES))
def test_a_hostile_file_is_refused_in_little_memory_by_the_command(app, hostile, kind):
    path = hostile[kind]
    assert 600_000 < path.stat().st_size < 1_500_000
    measured = measure(CLI, path, app.config["DATABASE_URL"])
    assert measured["exit"] != 0
    assert any(words in measured["output"] for words in ("cột", "quá nhiều dòng", "quá nhiều chữ dùng chung"))
    assert measured["peak"] < LIMIT_MB * 1024 * 1024, measured["peak"] / 1e6


@pytest.mark.parametrize("kind", ["csv", "xlsx"])  # (the long file and the strings cost the same here as in the command)
def test_a_hostile_file_is_refused_in_little_memory_by_a_worker(app, make, hostile, kind):
    make.user("admin", email="admin@example.vn")
    path = hostile[kind]
    measured = measure(WEB, path, app.config["DATABASE_URL"], PASSWORD)
    assert measured["exit"] in (400, 413, 422)
    assert any(words in measured["output"] for words in ("tối đa 50 cột", "quá nhiều dòng", "quá nhiều chữ dùng chung"))
    assert measured["peak"] < LIMIT_MB * 1024 * 1024, measured["peak"] / 1e6


def test_the_message_names_the_row_and_the_column(db, hostile):
    with pytest.raises(DomainError) as caught:
        import_file(db, TEST_ACTOR, "agencies", "xfd.xlsx", hostile["xlsx"].read_bytes())
    assert caught.value.message.params == {"row": 2, "column": "XFD", "max": tables.MAX_COLUMNS}
    assert str(caught.value.message).startswith("Dòng 2 có dữ liệu ở cột XFD")


def test_rows_times_columns_are_bounded(db, monkeypatch):
    monkeypatch.setattr(tables, "MAX_CELLS", 40)
    data = (",".join(AGENCY_HEADER) + "\n" + "so-x,Sở X,province,department\n" * 11).encode()
    with pytest.raises(DomainError) as caught:
        import_file(db, TEST_ACTOR, "agencies", "a.csv", data)
    assert "quá nhiều dòng" in str(caught.value.message)


def test_a_styled_empty_cell_far_right_is_not_a_column(db, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(AGENCY_HEADER)
    sheet.append(["so-x", "Sở X", "province", "department"])
    sheet.cell(row=2, column=16384).number_format = "0.00"  # formatted, no value
    path = tmp_path / "styled.xlsx"
    book.save(path)
    result = import_file(db, TEST_ACTOR, "agencies", "styled.xlsx", path.read_bytes())
    assert result.ok and result.created == 1
