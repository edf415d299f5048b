"""Reading a table from a file people send: a CSV, or the first sheet of an XLSX.

Bounded before anything large is built: a number of rows, and for an XLSX the
zip container's entries, inflated size and compression ratio (zip bombs are
refused before a byte is inflated). No Flask here.
"""

import csv
import io
import zipfile
from typing import Any

from registry.core.errors import N_, DomainError, Msg
from registry.core.validation import clean_text

MAX_ROWS = 250_000
# An XLSX is a zip of XML parts: a workbook has a few dozen entries, and its
# sheet XML compresses 10–30 times. Bounds well above that refuse zip bombs
# before a byte is inflated (zipfile never reads past an entry's declared size).
MAX_XLSX_ENTRIES = 1_000
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_XLSX_RATIO = 200


class ImportFileError(DomainError):
    code = "bad_file"


# --- reading -----------------------------------------------------------------

Row = tuple[int, dict[str, Any]]
# The key of a row that holds values no column names: its only key, with the reason.
OUTSIDE_HEADER = "__outside_header__"


def read_table(filename: str, data: bytes) -> tuple[list[str], list[Row]]:
    """The header and the numbered rows of a CSV or the first sheet of an XLSX.

    Row numbers are those a spreadsheet shows: the header is row 1.
    """
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data)
    else:
        table = _read_csv(data)
    if not table or not any(clean_text(c) for c in table[0]):
        raise ImportFileError(N_("Tệp trống hoặc thiếu dòng tiêu đề."))
    header = [clean_text(c).lower() for c in table[0]]
    unnamed = [i for i, name in enumerate(header) if not name]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(clean_text(c) for c in cells if c is not None):
            continue  # blank lines are not rows
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(N_("Tệp có quá nhiều dòng (tối đa %(max)s)."), max=MAX_ROWS)
        if any(clean_text(c) for c in cells[len(header):] if c is not None):
            rows.append((number, {OUTSIDE_HEADER: N_("dòng có nhiều ô hơn tiêu đề")}))
            continue
        if any(clean_text(cells[i]) for i in unnamed if i < len(cells) and cells[i] is not None):
            rows.append((number, {OUTSIDE_HEADER: N_("dòng có dữ liệu trong cột không có tiêu đề")}))
            continue
        rows.append((number, {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header)}))
    return header, rows


SAVE_AS_UTF8 = N_("Tệp CSV phải được mã hóa UTF-8. Tệp này %(what)s. Trong Excel, chọn Tệp › Lưu thành và "
                  "chọn kiểu «CSV UTF-8 (phân cách bằng dấu phẩy)» rồi nhập lại; hoặc nhập thẳng tệp XLSX; hoặc tải "
                  "tệp mẫu và dán dữ liệu vào đó.")


def _read_csv(data: bytes) -> list[list[str]]:
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
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
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


def _read_xlsx(data: bytes) -> list[list[Any]]:
    # openpyxl parses with defusedxml when it is installed (a dependency of ours):
    # no entity expansion, no external entities, no DTD retrieval.
    from openpyxl import load_workbook  # imported here: only imports of XLSX pay for it

    _check_xlsx_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError(N_("Không đọc được tệp XLSX: %(reason)s"), reason=type(exc).__name__) from exc
    except Exception as exc:  # openpyxl raises a wide range on malformed workbooks
        raise ImportFileError(N_("Không đọc được tệp XLSX: %(reason)s"), reason=type(exc).__name__) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the recorded size may be wrong (other writers): read every row there is
        rows = []
        for values in sheet.iter_rows(values_only=True):
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(N_("Tệp có quá nhiều dòng (tối đa %(max)s)."), max=MAX_ROWS)
            rows.append(list(values))
        return rows
    except ImportFileError:
        raise
    except Exception as exc:  # the sheet's XML is read only now, row by row, and may be broken
        raise ImportFileError(N_("Không đọc được tệp XLSX: %(reason)s"), reason=type(exc).__name__) from exc
    finally:
        workbook.close()


