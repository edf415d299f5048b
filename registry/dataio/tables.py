"""Reading a table from a file people send: a CSV, or the first sheet of an XLSX.

Bounded before anything large is built. The zip container of an XLSX is
checked first (entries, inflated size and compression ratio: zip bombs are
refused before a byte is inflated). Then the rows are read one at a time,
as the file holds them (an XLSX row is its cells as written, never padded
out to its last column), and the file is refused as soon as it passes a bound:
its rows, the column of any cell holding a value, the header's width, and
rows × header columns, the size of what the importer would hold. A small
hostile file (a cell at column XFD on every row, a header of 100 000 columns)
is refused after a few rows instead of growing to gigabytes. No Flask here.
"""

import csv
import io
import zipfile
from array import array
from collections.abc import Iterator
from typing import Any

from registry.core.errors import N_, DomainError, Msg
from registry.core.validation import clean_text

MAX_ROWS = 250_000
# The widest import has 14 columns; a file may carry a few more (refused by name, one by one).
MAX_COLUMNS = 50
# rows × header columns: every import kind at its widest, with MAX_ROWS rows
MAX_CELLS = 14 * MAX_ROWS
# An XLSX is a zip of XML parts: a workbook has a few dozen entries, and its
# sheet XML compresses 10–30 times. Bounds well above that refuse zip bombs
# before a byte is inflated (zipfile never reads past an entry's declared size).
MAX_XLSX_ENTRIES = 1_000
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_XLSX_RATIO = 200
# A workbook's shared strings are read before its first row: at most four distinct texts a row
# at MAX_ROWS rows (codes, names in two languages, a note; agencies and sectors repeat), held
# as UTF-8 (a national catalogue at MAX_ROWS rows needs about 45 MB).
MAX_SHARED_STRINGS = 4 * MAX_ROWS
MAX_SHARED_TEXT = 48 * 1024 * 1024


class ImportFileError(DomainError):
    code = "bad_file"


# --- reading -----------------------------------------------------------------

Row = tuple[int, dict[str, Any]]
# The key of a row that holds values no column names: its only key, with the reason.
OUTSIDE_HEADER = "__outside_header__"


def _column_name(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _too_wide(number: int, width: int) -> ImportFileError:
    return ImportFileError(N_("Dòng %(row)s có dữ liệu ở cột %(column)s: tệp được nhập có tối đa %(max)s cột. "
                              "Hãy xóa các cột thừa rồi thử lại."),
                           row=number, column=_column_name(width), max=MAX_COLUMNS)


def _width(cells: list) -> int:
    """The number of cells up to the last one that holds something."""
    width = len(cells)
    while width and (cells[width - 1] is None or cells[width - 1] == ""):
        width -= 1
    return width


def read_table(filename: str, data: bytes) -> tuple[list[str], list[Row]]:
    """The header and the numbered rows of a CSV or the first sheet of an XLSX.

    Row numbers are those a spreadsheet shows: the header is row 1. A row holds
    only its cells that have something in them (the importer reads a missing
    column as empty).
    """
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data)
    else:
        table = _read_csv(data)
    try:
        header, rows = _bounded(table)
    finally:
        table.close()  # an XLSX's workbook is closed even when a bound stopped the reading
    return header, rows


def _bounded(table: Iterator[tuple[int, list]]) -> tuple[list[str], list[Row]]:
    first = next(table, None)
    if first is None or not any(clean_text(c) for c in first[1]):
        raise ImportFileError(N_("Tệp trống hoặc thiếu dòng tiêu đề."))
    width = _width(first[1])
    if width > MAX_COLUMNS:
        raise _too_wide(first[0], width)
    # blank header cells stay unnamed columns (data under them is reported), up to the bound
    header_cells = first[1][:max(width, min(len(first[1]), MAX_COLUMNS))]
    header = [clean_text(c).lower() for c in header_cells]
    unnamed = {i for i, name in enumerate(header) if not name}
    rows = []
    for number, cells in table:
        width = _width(cells)
        if width > MAX_COLUMNS:
            raise _too_wide(number, width)
        if not any(clean_text(c) for c in cells[:width] if c is not None):
            continue  # blank lines are not rows
        if len(rows) >= MAX_ROWS or (len(rows) + 1) * max(len(header), 1) > MAX_CELLS:
            raise ImportFileError(N_("Tệp có quá nhiều dòng (tối đa %(max)s)."),
                                  max=min(MAX_ROWS, MAX_CELLS // max(len(header), 1)))
        if width > len(header) and any(clean_text(c) for c in cells[len(header):width] if c is not None):
            rows.append((number, {OUTSIDE_HEADER: N_("dòng có nhiều ô hơn tiêu đề")}))
            continue
        if any(clean_text(cells[i]) for i in unnamed if i < width and cells[i] is not None):
            rows.append((number, {OUTSIDE_HEADER: N_("dòng có dữ liệu trong cột không có tiêu đề")}))
            continue
        rows.append((number, {header[i]: cells[i] for i in range(min(width, len(header)))
                              if cells[i] is not None and cells[i] != ""}))
    return header, rows


SAVE_AS_UTF8 = N_("Tệp CSV phải được mã hóa UTF-8. Tệp này %(what)s. Trong Excel, chọn Tệp › Lưu thành và "
                  "chọn kiểu «CSV UTF-8 (phân cách bằng dấu phẩy)» rồi nhập lại; hoặc nhập thẳng tệp XLSX; hoặc tải "
                  "tệp mẫu và dán dữ liệu vào đó.")


def _read_csv(data: bytes) -> Iterator[tuple[int, list]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") * 4 > len(data[:200]):
        # UTF-16 ("Unicode Text" in Excel): refused, with how to save it as UTF-8
        raise ImportFileError(SAVE_AS_UTF8, what=Msg(N_("được lưu bằng UTF-16 («Unicode Text»)")))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows-1258 or TCVN3 (what older Excel saves): any byte is a letter there, so
        # the registry cannot tell them apart and must not guess
        raise ImportFileError(SAVE_AS_UTF8, what=Msg(N_("có vẻ được lưu bằng bảng mã khác (Windows-1258, "
                                                        "TCVN3…)"))) from None
    if "\x00" in text:
        raise ImportFileError(N_("Tệp CSV chứa ký tự không hợp lệ (NUL)."))
    return _csv_rows(text)


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as exc:
        raise ImportFileError(N_("Tệp CSV sai định dạng: %(reason)s"), reason=str(exc)) from exc


def _check_xlsx_container(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportFileError(N_("Không đọc được tệp XLSX: %(reason)s"), reason=type(exc).__name__) from exc
    if len(entries) > MAX_XLSX_ENTRIES:
        raise ImportFileError(N_("Tệp XLSX có quá nhiều thành phần (tối đa %(max)s)."), max=MAX_XLSX_ENTRIES)
    inflated = sum(entry.file_size for entry in entries)
    if inflated > MAX_XLSX_UNCOMPRESSED or any(
            entry.file_size > 1024 * 1024 and entry.file_size > MAX_XLSX_RATIO * max(entry.compress_size, 1)
            for entry in entries):
        raise ImportFileError(N_("Tệp XLSX giải nén ra quá lớn (tối đa %(max)s MB)."),
                              max=MAX_XLSX_UNCOMPRESSED // (1024 * 1024))


class SharedStrings:
    """A workbook's shared strings as the sheet parser indexes them, held as UTF-8 in one
    buffer with the end of each. openpyxl reads them into a list (and its element tree keeps
    every parsed element until the end): a 750 kB file of empty strings, compressed 140:1,
    held 8 million of them and ran for minutes, growing, before the first row was read."""

    def __init__(self):
        self._text = bytearray()
        self._ends = array("I")

    def append(self, text: str) -> None:
        self._text += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._text))
        if len(self._ends) > MAX_SHARED_STRINGS or len(self._text) > MAX_SHARED_TEXT:
            raise ImportFileError(N_("Tệp XLSX có quá nhiều chữ dùng chung (tối đa %(max)s chuỗi, %(mb)s MB). "
                                     "Hãy chia nhỏ tệp hoặc lưu thành CSV rồi thử lại."),
                                  max=MAX_SHARED_STRINGS, mb=MAX_SHARED_TEXT // (1024 * 1024))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)  # a cell naming string -1 is a broken file, not the last string
        start = self._ends[index - 1] if index else 0
        return self._text[start:self._ends[index]].decode("utf-8", "surrogatepass")


def _read_shared_strings(reader) -> SharedStrings:
    """What openpyxl's ``read_strings`` reads (rich text flattened to its text), bounded as it
    is read, with each string's element dropped from the tree once read."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse  # defusedxml's when installed

    strings = SharedStrings()
    part = reader.package.find(SHARED_STRINGS)
    if part is None:
        return strings
    string_tag, text_tag = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}t"
    with reader.archive.open(part.PartName[1:]) as source:
        root = None
        for event, node in iterparse(source, events=("start", "end")):
            if root is None:
                root = node
            if event != "end" or node.tag != string_tag:
                continue
            if len(node) == 1 and node[0].tag == text_tag:  # plain text: most strings, read fast
                text = node[0].text or ""
            else:
                text = Text.from_tree(node).content
            strings.append(text.replace("x005F_", ""))
            root.clear()
    return strings


def _read_xlsx(data: bytes) -> Iterator[tuple[int, list]]:
    # openpyxl parses with defusedxml when it is installed (a dependency of ours):
    # no entity expansion, no external entities, no DTD retrieval.
    from openpyxl.reader.excel import ExcelReader  # imported here: only imports of XLSX pay for it
    from openpyxl.styles.stylesheet import apply_stylesheet

    _check_xlsx_container(data)
    try:
        # load_workbook would also measure every sheet (a whole pass over a sheet
        # without a recorded size): only the parts the first sheet's values need are read
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.shared_strings = _read_shared_strings(reader)
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)  # which numbers are dates
        target = next((rel.target for _sheet, rel in reader.parser.find_sheets()
                       if rel.target in reader.valid_files and "chartsheet" not in rel.Type), None)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises a wide range on malformed workbooks
        raise ImportFileError(N_("Không đọc được tệp XLSX: %(reason)s"), reason=type(exc).__name__) from exc
    if target is None:
        reader.archive.close()
        raise ImportFileError(N_("Tệp trống hoặc thiếu dòng tiêu đề."))
    return _xlsx_rows(reader, target)


def _xlsx_rows(reader, target: str) -> Iterator[tuple[int, list]]:
    """The first sheet's rows as written: each row's cells up to its last one that holds a
    value, read straight from the sheet's parser. openpyxl's own rows are padded to the
    last cell of the row (16 384 values for one cell at XFD), so they are not used; the
    recorded dimensions are not trusted either (other writers get them wrong)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = reader.wb
    try:
        with reader.archive.open(target) as source:
            parser = WorkSheetParser(source, reader.shared_strings, data_only=True, epoch=workbook.epoch,
                                     date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            for number, cells in parser.parse():
                filled = [(cell["column"], cell["value"]) for cell in cells if cell["value"] is not None]
                width = max((column for column, _value in filled), default=0)
                if width > MAX_COLUMNS:
                    raise _too_wide(number, width)
                values = [None] * width
                for column, value in filled:
                    values[column - 1] = value
                yield number, values
    except (ImportFileError, GeneratorExit):
        raise
    except Exception as exc:  # the sheet's XML is read only now, row by row, and may be broken
        raise ImportFileError(N_("Không đọc được tệp XLSX: %(reason)s"), reason=type(exc).__name__) from exc
    finally:
        reader.archive.close()
