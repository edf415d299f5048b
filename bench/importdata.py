"""Deterministic CSV files for the import benchmark (SPEC §5 columns).

Agencies form a province → district → commune tree (parents listed before
their children); services are spread over the agencies round-robin, with
Vietnamese names and sectors.
"""

import csv
from pathlib import Path

AGENCY_COLUMNS = ("code", "name", "name_en", "tier", "kind", "parent_code")
SERVICE_COLUMNS = ("code", "name", "name_en", "agency_code", "sector", "active")

KINDS_BY_TIER = {
    "province": ("department", "political_org", "hospital", "people_committee", "other"),
    "district": ("people_committee", "department", "school", "hospital", "health_facility"),
    "commune": ("people_committee", "school", "health_facility", "political_org"),
}
SECTORS = ("Hộ tịch", "Đất đai", "Xây dựng", "Giáo dục và Đào tạo", "Y tế", "Tư pháp", "Giao thông vận tải",
           "Thông tin và Truyền thông", "Lao động - Thương binh và Xã hội", "Tài nguyên và Môi trường")
ACTIONS = (("Đăng ký", "Registration of"), ("Cấp giấy phép", "Licence for"), ("Gia hạn", "Renewal of"),
           ("Cấp đổi", "Replacement of"), ("Thẩm định", "Appraisal of"), ("Xác nhận", "Certification of"))
SUBJECTS = (("khai sinh", "a birth"), ("kết hôn", "a marriage"), ("hộ kinh doanh", "a household business"),
            ("quyền sử dụng đất", "land-use rights"), ("xây dựng nhà ở", "house building"),
            ("hành nghề y", "medical practice"), ("lái xe", "a driving licence"), ("cư trú", "residence"))


def agency_rows(count: int) -> list[tuple]:
    provinces = max(1, count // 100)
    districts = max(0, min(count - provinces, count // 10))
    rows = []
    for i in range(count):
        if i < provinces:
            tier, parent = "province", ""
        elif i < provinces + districts:
            tier, parent = "district", f"bench-a{i % provinces:05d}"
        else:
            tier = "commune"
            parent = f"bench-a{provinces + i % districts:05d}" if districts else f"bench-a{i % provinces:05d}"
        kinds = KINDS_BY_TIER[tier]
        rows.append((f"bench-a{i:05d}", f"Cơ quan thử nghiệm số {i}", f"Benchmark agency {i}", tier,
                     kinds[i % len(kinds)], parent))
    return rows


def service_rows(count: int, agencies: int) -> list[tuple]:
    rows = []
    for i in range(count):
        action_vi, action_en = ACTIONS[i % len(ACTIONS)]
        subject_vi, subject_en = SUBJECTS[(i // len(ACTIONS)) % len(SUBJECTS)]
        rows.append((f"bench-s{i:06d}", f"{action_vi} {subject_vi} (thủ tục số {i})",
                     f"{action_en} {subject_en} (procedure {i})", f"bench-a{i % agencies:05d}",
                     SECTORS[i % len(SECTORS)], "có"))
    return rows


def write_csv(path: Path, header: tuple, rows: list[tuple]) -> Path:
    """UTF-8 with a BOM, as a spreadsheet saves it."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def import_files(directory: Path, services: int, agencies: int) -> tuple[Path, Path]:
    """(agencies.csv, services.csv) for ``services`` services over ``agencies`` agencies."""
    directory.mkdir(parents=True, exist_ok=True)
    agencies_file = write_csv(directory / f"import-agencies-{agencies}.csv", AGENCY_COLUMNS, agency_rows(agencies))
    services_file = write_csv(directory / f"import-services-{services}-over-{agencies}.csv", SERVICE_COLUMNS,
                              service_rows(services, agencies))
    return agencies_file, services_file
