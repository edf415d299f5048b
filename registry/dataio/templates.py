"""Template files for each import kind (SPEC §5): the header row and one example row,
as CSV (UTF-8 with a BOM, which Excel opens with the Vietnamese letters intact) or XLSX.
An administrator downloads one, fills it in and imports it."""

import csv
import io

from registry.core.errors import N_, NotFound
from registry.dataio.importing import FORMATS
from registry.dataio.xlsx import Sheet, xlsx_stream

EXAMPLES = {
    "agencies": {"code": "so-tu-phap", "name": "Sở Tư pháp", "tier": "province", "kind": "department",
                 "name_en": "Department of Justice", "parent_code": "", "active": "1"},
    "services": {"code": "1.001", "name": "Cấp Phiếu lý lịch tư pháp", "agency_code": "so-tu-phap",
                 "sector": "Lý lịch tư pháp", "name_en": "Issuing criminal record certificates", "active": "1"},
    "levels": {"service_code": "1.001", "period": "2015", "level": "2", "info_url": "https://dvc.example.vn/1.001",
               "form_url": "https://dvc.example.vn/1.001/mau-don", "submission_url": "", "payment_url": "",
               "note": ""},
    "reports": {"agency_code": "so-tu-phap", "period": "2015", "has_lan": "có", "wan_connected": "có",
                "broadband_internet": "có", "official_email": "có", "staff_total": "40",
                "staff_with_computer": "38", "staff_with_email": "30", "documents_total": "1200",
                "documents_online": "1100", "exchanges_online": "có", "legal_docs_online": "có",
                "specialised_database": "không"},
}
KINDS = tuple(FORMATS)
FILE_TYPES = ("csv", "xlsx")


def template_file(kind: str, file_type: str) -> tuple[str, bytes]:
    """(file name, content) of the template of ``kind`` as ``file_type``."""
    if kind not in FORMATS or file_type not in FILE_TYPES:
        raise NotFound(N_("Không có tệp mẫu này."))
    header = list(FORMATS[kind].columns)
    example = [EXAMPLES[kind].get(column, "") for column in header]
    name = f"mau-{kind}.{file_type}"
    if file_type == "csv":
        text = io.StringIO(newline="")
        csv.writer(text, lineterminator="\r\n").writerows([header, example])
        return name, "\ufeff".encode() + text.getvalue().encode("utf-8")
    return name, b"".join(xlsx_stream([Sheet(kind, header, [example])]))
