"""Hostile XLSX files are refused with a clear message before they cost memory or leak files.

An XLSX is a zip of XML parts, so it can carry a zip bomb, an entity bomb
("billion laughs") or an external entity that names a file on the server.
"""

import io
import zipfile

import openpyxl.xml
import pytest
from openpyxl import Workbook
from sqlmodel import select

from registry.core.errors import DomainError
from registry.dataio import tables
from registry.dataio.importing import import_file
from registry.models import Agency
from tests.factories import TEST_ACTOR

AGENCY_HEADER = ["code", "name", "tier", "kind"]


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet_xml(data: bytes, sheet_xml: str) -> bytes:
    """The same workbook with its first sheet's XML replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                body = sheet_xml.encode()
            target.writestr(entry, body)
    return out.getvalue()


def with_extra_entries(data: bytes, entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return out.getvalue()


def sheet_with_doctype(doctype: str, cell: str) -> str:
    return (f'<?xml version="1.0"?>{doctype}'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>tier</t></is></c><c r="D1" t="inlineStr"><is><t>kind</t></is></c></row>'
            f'<row r="2"><c r="A2" t="inlineStr"><is><t>so-x</t></is></c><c r="B2" t="inlineStr"><is><t>{cell}</t></is></c>'
            '<c r="C2" t="inlineStr"><is><t>province</t></is></c><c r="D2" t="inlineStr"><is><t>department</t></is></c></row>'
            '</sheetData></worksheet>')


def agencies(db):
    db.rollback()
    return db.exec(select(Agency)).all()


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_plain_workbook_still_imports(db):
    data = workbook_bytes([AGENCY_HEADER, ["so-x", "Sở X", "province", "department"]])
    result = import_file(db, TEST_ACTOR, "agencies", "agencies.xlsx", data)
    assert result.ok and result.created == 1


def test_entity_bomb_is_refused(db):
    laughs = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
              + "]>")
    data = with_sheet_xml(workbook_bytes([AGENCY_HEADER]), sheet_with_doctype(laughs, "&lol9;"))
    with pytest.raises(DomainError) as caught:
        import_file(db, TEST_ACTOR, "agencies", "bomb.xlsx", data)
    assert "XLSX" in str(caught.value.message)
    assert agencies(db) == []


def test_external_entity_does_not_read_server_files(db, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    doctype = f'<!DOCTYPE x [<!ENTITY leak SYSTEM "file://{secret}">]>'
    data = with_sheet_xml(workbook_bytes([AGENCY_HEADER]), sheet_with_doctype(doctype, "&leak;"))
    with pytest.raises(DomainError):
        import_file(db, TEST_ACTOR, "agencies", "xxe.xlsx", data)
    assert all("TOP-SECRET" not in agency.name for agency in agencies(db))


def test_zip_bomb_is_refused_before_it_is_inflated(db):
    # 64 MB of one byte compresses to about 64 KB: a ratio a real sheet never has
    data = with_extra_entries(workbook_bytes([AGENCY_HEADER]), {"xl/media/padding.bin": b"\0" * (64 * 1024 * 1024)})
    assert len(data) < 1024 * 1024
    with pytest.raises(DomainError) as caught:
        import_file(db, TEST_ACTOR, "agencies", "zipbomb.xlsx", data)
    assert "giải nén ra quá lớn" in str(caught.value.message)


def test_a_workbook_with_too_many_parts_is_refused(db, monkeypatch):
    monkeypatch.setattr(tables, "MAX_XLSX_ENTRIES", 20)
    data = with_extra_entries(workbook_bytes([AGENCY_HEADER]), {f"xl/extra/{i}.xml": b"<x/>" for i in range(20)})
    with pytest.raises(DomainError) as caught:
        import_file(db, TEST_ACTOR, "agencies", "many.xlsx", data)
    assert "quá nhiều thành phần" in str(caught.value.message)


def test_a_truncated_workbook_gets_a_message(db):
    data = workbook_bytes([AGENCY_HEADER, ["so-x", "Sở X", "province", "department"]])
    with pytest.raises(DomainError) as caught:
        import_file(db, TEST_ACTOR, "agencies", "cut.xlsx", data[: len(data) // 2])
    assert "Không đọc được tệp XLSX" in str(caught.value.message)
    assert agencies(db) == []


def test_a_workbook_whose_sheet_xml_is_broken_gets_a_message(db):
    broken = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row><row r="2"><c r="A2'
    data = with_sheet_xml(workbook_bytes([AGENCY_HEADER]), broken)
    with pytest.raises(DomainError) as caught:
        import_file(db, TEST_ACTOR, "agencies", "broken.xlsx", data)
    assert "Không đọc được tệp XLSX" in str(caught.value.message)
    assert agencies(db) == []
