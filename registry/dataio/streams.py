"""Files made as streams of bytes chunks: CSV and JSON, with cells a spreadsheet will not run.

Spreadsheet safety: a text cell that begins with ``= + - @``, a tab or a
carriage return is written with a leading ``'`` so that no spreadsheet reads
it as a formula. Numbers and booleans are written as they are; an exact decimal is a
number in CSV and a string in JSON (as the API gives it). No Flask here.
"""

import csv
import io
import json
import re
from decimal import Decimal
from typing import Iterable, Iterator

CHUNK_BYTES = 64 * 1024  # the size of the pieces a file is handed out in
BOM = "\ufeff"  # at the start of a CSV file: spreadsheets then read it as UTF-8

Chunks = Iterator[bytes]

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}

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


def csv_cell(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return safe_text(str(value))


def _exact(value):
    """JSON for an exact decimal (an indicator's value): a string, as the API gives it."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def yes_no(value) -> str | None:
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
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
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
        text.buffer.write(separator + json.dumps(dict(zip(header, row)), ensure_ascii=False, default=_exact))
        separator = ",\n"
        chunk = text.take()
        if chunk:
            yield chunk
    text.buffer.write("\n]}\n")
    yield text.take(at_least=0)


