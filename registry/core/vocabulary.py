"""The fixed vocabularies the tables use (SPEC §2, §3), and the words the pages use for
them and for other fixed values (SPEC §7), as Vietnamese message ids.

No SQLAlchemy here: the commands that answer from the shared results read them too.
"""

import enum

from registry.core.errors import N_


class Tier(str, enum.Enum):
    province = "province"
    district = "district"
    commune = "commune"


class Kind(str, enum.Enum):
    department = "department"
    people_committee = "people_committee"
    political_org = "political_org"
    school = "school"  # primary and above (SPEC §2)
    preschool = "preschool"  # trường mầm non: never in schools_network_pct
    hospital = "hospital"
    health_facility = "health_facility"
    other = "other"


class Role(str, enum.Enum):
    focal = "focal"
    auditor = "auditor"
    admin = "admin"


class PeriodStatus(str, enum.Enum):
    open = "open"
    closed = "closed"
    correcting = "correcting"  # a closed period re-opened for a correction (rule 12, §8.2)


# The periods whose figures the public reads from what closing them published (rule 12).
PUBLISHED_STATUSES = (PeriodStatus.closed.value, PeriodStatus.correcting.value)


class State(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    verified = "verified"


class Unit(str, enum.Enum):
    percent = "percent"
    count = "count"


class Comparator(str, enum.Enum):
    at_least = ">="
    more_than = ">"


class Formula(str, enum.Enum):
    """The kinds of target an administrator can define without code."""

    service_level_share = "service_level_share"  # services at level ≥ k ÷ active services
    service_level_count = "service_level_count"  # count of services at level ≥ k
    agency_flag_share = "agency_flag_share"  # in-scope agencies with all flags ÷ in-scope agencies
    report_sum_ratio = "report_sum_ratio"  # Σ numerator field ÷ Σ denominator field over in-scope agencies


REPORT_LABELS = {
    "has_lan": N_("Có mạng nội bộ (LAN)"),
    "wan_connected": N_("Kết nối mạng diện rộng (WAN) của tỉnh"),
    "broadband_internet": N_("Có Internet tốc độ cao (băng thông rộng)"),
    "internet_connected": N_("Có kết nối Internet (mọi loại đường truyền)"),
    "official_email": N_("Cơ quan có hộp thư điện tử chính thức"),
    "staff_total": N_("Tổng số cán bộ, công chức, viên chức"),
    "staff_with_computer": N_("Số người làm việc trên máy tính"),
    "staff_with_email": N_("Số người có hộp thư điện tử công vụ"),
    "computer_staff_with_email": N_("Số người làm việc trên máy tính có hộp thư điện tử công vụ"),
    "documents_total": N_("Tổng số văn bản đi và đến trong kỳ"),
    "documents_online": N_("Số văn bản được quản lý, xử lý trên mạng"),
    "exchanges_online": N_("Trao đổi thông tin qua mạng với Trung tâm tích hợp dữ liệu của tỉnh"),
    "legal_docs_online": N_("Tra cứu, cập nhật văn bản quy phạm pháp luật qua mạng"),
    "specialised_database": N_("Có cơ sở dữ liệu quản lý chuyên ngành"),
}

STATUS_LABELS = {
    "level": N_("Mức độ"),
    "info_url": N_("Minh chứng: trang thông tin thủ tục"),
    "form_url": N_("Minh chứng: mẫu đơn, tờ khai"),
    "submission_url": N_("Minh chứng: nộp hồ sơ trực tuyến"),
    "payment_url": N_("Minh chứng: thanh toán lệ phí trực tuyến"),
    "note": N_("Ghi chú"),
}

STATE_LABELS = {
    "draft": N_("bản nháp"),
    "submitted": N_("đã gửi"),
    "returned": N_("bị trả lại"),
    "verified": N_("đã xác minh"),
    "reopened": N_("mở lại"),
}

TIER_LABELS = {"province": N_("cấp tỉnh"), "district": N_("cấp huyện"), "commune": N_("cấp xã")}

KIND_LABELS = {
    "department": N_("sở, ban, ngành"),
    "people_committee": N_("Ủy ban nhân dân"),
    "political_org": N_("cơ quan Đảng, Mặt trận và các tổ chức chính trị - xã hội"),
    "school": N_("trường học (từ tiểu học trở lên)"),
    "preschool": N_("trường mầm non"),
    "hospital": N_("bệnh viện"),
    "health_facility": N_("cơ sở y tế"),
    "other": N_("khác"),
}

ROLE_LABELS = {"focal": N_("cán bộ đầu mối CNTT"), "auditor": N_("chuyên viên thẩm định"),
               "admin": N_("quản trị viên")}

# Where an agency's report of a period stands, as the comparison and a district's page say it.
REPORT_STATUS_LABELS = {"not_started": N_("chưa bắt đầu"), "in_progress": N_("đang thực hiện"),
                        "submitted": N_("đã gửi"), "verified": N_("đã xác minh")}

# A target's result for a period (SPEC §3): judged, or why not.
RESULT_LABELS = {"met": N_("đạt"), "not_met": N_("chưa đạt"), "no_data": N_("chưa có dữ liệu"),
                 "insufficient_data": N_("chưa đủ dữ liệu")}

PERIOD_STATUS_LABELS = {"open": N_("đang mở"), "closed": N_("đã khóa"), "correcting": N_("đang mở lại để đính chính")}

# A correction's rows (rule 12, §8.9): what was corrected, and which of its published figures;
# an agency's report fields are REPORT_LABELS', a service's level and evidence STATUS_LABELS'.
CORRECTED_KIND_LABELS = {"target": N_("Chỉ tiêu"), "agency": N_("Cơ quan"), "service": N_("Dịch vụ công"),
                         "rank": N_("Xếp hạng"), "indicator": N_("Chỉ số")}
FIGURE_LABELS = {
    "listed": N_("có trong danh sách"), "in_basis": N_("có số liệu đã xác minh"),
    "threshold": N_("ngưỡng"), "comparator": N_("so sánh"), "numerator": N_("tử số"), "denominator": N_("mẫu số"),
    "value": N_("giá trị"), "met": N_("đạt"), "status": N_("kết quả"), "coverage_covered": N_("số có dữ liệu"),
    "coverage_total": N_("tổng số phải báo cáo"), "assessed": N_("được đánh giá"), "rank": N_("thứ hạng"),
    "score": N_("điểm"), "score_exact": N_("điểm (chính xác)"), "grade": N_("xếp loại"),
    **REPORT_LABELS, **STATUS_LABELS,
}

VOCABULARIES = {
    "report": REPORT_LABELS, "status": STATUS_LABELS, "state": STATE_LABELS, "tier": TIER_LABELS,
    "kind": KIND_LABELS, "role": ROLE_LABELS, "period_status": PERIOD_STATUS_LABELS, "result": RESULT_LABELS,
    "report_status": REPORT_STATUS_LABELS,
    "corrected": CORRECTED_KIND_LABELS, "figure": FIGURE_LABELS,
}


def label(vocabulary: str, key, gettext=lambda s: s) -> str:
    text = VOCABULARIES[vocabulary].get(key)
    return gettext(text) if text is not None else str(key)


def field_name(key: str, gettext=lambda s: s, names: dict | None = None) -> str:
    """A human name for an error key: a report field, or "<service code>.<status field>"
    (with the service's name when ``names`` maps its code to one)."""
    if key in REPORT_LABELS:
        return gettext(REPORT_LABELS[key])
    code, _, name = key.rpartition(".")
    if code and name in STATUS_LABELS:
        service = f"{names[code]} ({code})" if names and names.get(code) else code
        return f"{service} — {gettext(STATUS_LABELS[name])}"
    return key
