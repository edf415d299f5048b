"""XLSX written as a minimal SpreadsheetML package (inline strings, one fixed style
sheet) streamed through ``zipfile``, not with openpyxl: openpyxl's write-only
mode keeps each sheet in a temporary file until the workbook is saved, so
nothing could be sent before the last row, and without lxml it writes about a
thousand rows a second — a national catalogue would outlast the server's
request timeout. (openpyxl still reads workbooks: the importer, the tests.)
"""

import enum
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Callable, Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

from registry.dataio.streams import CHUNK_BYTES, Chunks, safe_text

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
    if isinstance(value, Decimal):  # exact, as written (an indicator's value)
        return f"<c {ref}><v>{format(value, 'f')}</v></c>"
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


