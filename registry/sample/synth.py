"""A deterministic synthetic registry of any size, for benchmarks (``registry synth``).

The same seed and sizes give the same rows, byte for byte, on SQLite and on
PostgreSQL: every id, name, level, figure and timestamp is drawn from random
streams seeded by the seed (only the single audit event records when the
synthesis really ran). The shape follows the real registry: provinces with
their departments, districts and communes, schools and health facilities
under a parent hierarchy; procedure names composed from the words real
procedures use, beside the real names of the demonstration set; levels and
adoption that grow from 2010; older periods closed and mostly verified, the
latest one open with every workflow state.

A national registry has millions of rows, so they are written in batches inside
one transaction, with their ids given, not through the ORM (see _BulkWriter):
no mapper event runs, and every derived column (the name keys of search.py) is
computed here. Histories are built as the workflow builds them (workflow.py):
versions count the writes and transitions, and each verification leaves a
verified copy of exactly the entries verified.

No Flask here.
"""

import itertools
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from operator import itemgetter
from typing import Callable, Iterable

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from registry import audit
from registry.catalogue.levels import EVIDENCE_FIELDS, LEVELS, MAX_LEVEL, required_evidence
from registry.core.errors import N_, Conflict, ValidationFailed
from registry.core.search import fold, sort_key
from registry.core.vocabulary import STATE_LABELS
from registry.models import (
    REPORT_FIELDS,
    Agency,
    AuditEvent,
    PeriodStatus,
    ReportingPeriod,
    Service,
    ServiceStatus,
    State,
    Submission,
    VerifiedCopy,
    VerifiedServiceStatus,
)
from registry.sample.demo import AgencyTrajectory
from registry.sample.demo_data import COMMUNE_PROCEDURES, DISTRICT_PROCEDURES, PROVINCE_PROCEDURES, SECTORS
from registry.targets import cache as target_cache
from registry.targets.seed import ensure_targets

SOURCE = "synth"
FIRST_YEAR = 2010  # the first year of Decision 1529's plan, as in the demonstration set
LAST_YEAR = 2100  # the last year a reporting period may have (models.ReportingPeriod)
MAX_PERIODS = LAST_YEAR - FIRST_YEAR + 1
BATCH_ROWS = 5000
EVIDENCE_HOST = "https://dichvucong.{slug}.example"  # a reserved domain: no link can be taken for a real one


# --- sizes, refusal, summary ---------------------------------------------------------

def check_sizes(services: int, agencies: int, periods: int) -> None:
    if agencies < 1:
        raise ValidationFailed(N_("Dữ liệu tổng hợp cần ít nhất một cơ quan."),
                               fields={"agencies": N_("phải từ 1 trở lên")})
    if services < 0:
        raise ValidationFailed(N_("Số dịch vụ không được âm."), fields={"services": N_("phải từ 0 trở lên")})
    if not 1 <= periods <= MAX_PERIODS:
        raise ValidationFailed(
            N_("Số kỳ báo cáo phải từ 1 đến %(max)s (các năm %(first)s–%(last)s)."),
            fields={"periods": N_("ngoài khoảng cho phép")}, max=MAX_PERIODS, first=FIRST_YEAR, last=LAST_YEAR)


def refuse_non_empty(connection: Connection) -> None:
    """Synthetic rows must never mix with a real registry: only an empty one is filled."""
    counts = {name: connection.execute(select(func.count()).select_from(table)).scalar_one()
              for name, table in (("agencies", Agency.__table__), ("services", Service.__table__),
                                  ("periods", ReportingPeriod.__table__))}
    if any(counts.values()):
        raise Conflict(
            N_("Cơ sở dữ liệu đã có dữ liệu (%(agencies)s cơ quan, %(services)s dịch vụ, %(periods)s kỳ báo cáo). "
               "Chỉ tạo dữ liệu tổng hợp trong một cơ sở dữ liệu trống, để không lẫn với dữ liệu thật."),
            **counts)


@dataclass(frozen=True)
class Summary:
    seed: int
    years: tuple[int, ...]
    rows: dict[str, int]  # table name → rows written
    latest_states: dict[str, int]  # display state → agencies, in the open period ("none": no submission)
    seconds: float

    def __str__(self) -> str:
        r, s = self.rows, self.latest_states
        return "\n".join([
            f"Đã tạo sổ đăng ký tổng hợp (hạt giống {self.seed}) trong {self.seconds:.1f} giây:",
            f"  {r['agency']} cơ quan, {r['service']} dịch vụ, {len(self.years)} kỳ báo cáo "
            f"({self.years[0]}–{self.years[-1]}; kỳ {self.years[-1]} đang mở"
            + (", các kỳ trước đã khóa)" if len(self.years) > 1 else ")"),
            f"  {r['submission']} bản báo cáo với {r['service_status']} trạng thái dịch vụ; "
            f"{r['verified_copy']} bản đã xác minh với {r['verified_service_status']} trạng thái",
            f"  kỳ {self.years[-1]}: {s['verified']} đã xác minh, {s['submitted']} đã gửi, "
            f"{s['returned']} bị trả lại, {s['draft']} bản nháp, {s['reopened']} mở lại, "
            f"{s['none']} chưa có báo cáo",
        ])


# --- words ----------------------------------------------------------------------------

# Two syllables make a place name; the lists mix the lowland and the highland names of
# the north, so that search finds a place in some provinces and not in others.
PLACE_FIRST = (
    "Thanh", "Tân", "Hòa", "Bình", "An", "Phú", "Xuân", "Nghĩa", "Đông", "Tây", "Nam", "Bắc", "Sơn", "Hà",
    "Lạc", "Quảng", "Long", "Vĩnh", "Hưng", "Phước", "Đức", "Trung", "Hải", "Yên", "Cẩm", "Thạch", "Kim",
    "Hồng", "Lâm", "Minh", "Tiến", "Thuận", "Mường", "Nậm", "Na", "Tả", "Huổi", "Pá", "Chiềng", "Nà",
    "Quỳnh", "Hoàng", "Việt", "Định", "Mỹ", "Gia", "Thái", "Lương", "Ngọc", "Tú",
)
PLACE_SECOND = (
    "Xương", "An", "Bình", "Hòa", "Lợi", "Phong", "Thịnh", "Hưng", "Thành", "Lộc", "Phúc", "Sơn", "Giang",
    "Lâm", "Điền", "Trạch", "Mỹ", "Quang", "Tiến", "Thắng", "Lay", "Pồ", "Chà", "Nhé", "Ảng", "Luân", "Tùng",
    "Hiệp", "Khê", "Đồng", "Thủy", "Hà", "Yên", "Linh", "Châu", "Trung", "Tân", "Cường", "Nguyên", "Vinh",
)

# (Vietnamese word, English word, share) of each kind of place below a province.
DISTRICT_TYPES = (("huyện", "District", 0.8), ("thị xã", "Town", 0.1), ("thành phố", "City", 0.1))
COMMUNE_TYPES = (("xã", "Commune", 0.8), ("phường", "Ward", 0.12), ("thị trấn", "Township", 0.08))
# what a district's Party committee and youth union are called, by the kind of district
DISTRICT_PARTY = {"huyện": ("Huyện ủy", "Huyện đoàn"), "thị xã": ("Thị ủy", "Thị đoàn"),
                  "thành phố": ("Thành ủy", "Thành đoàn")}

# Agency templates: (key, Vietnamese, English). {p} is the province's name, {d} the
# district's with its kind ("huyện Tuần Giáo"), {dn} the district's bare name with
# {dt} its English kind, {c}/{cn}/{ct} the same for a commune, {n} a number (only the
# last template of a list may have one: it repeats as often as needed).
PROVINCE_PC = ("ubnd", "Ủy ban nhân dân tỉnh {p}", "People's Committee of {p} Province")
# The key is the department's code in the demonstration set, whose real procedures it offers.
DEPARTMENTS = (
    ("vp-ubnd-tinh", "Văn phòng Ủy ban nhân dân tỉnh {p}", "Office of the People's Committee of {p} Province"),
    ("so-tu-phap", "Sở Tư pháp tỉnh {p}", "Department of Justice of {p} Province"),
    ("so-khdt", "Sở Kế hoạch và Đầu tư tỉnh {p}", "Department of Planning and Investment of {p} Province"),
    ("so-y-te", "Sở Y tế tỉnh {p}", "Department of Health of {p} Province"),
    ("so-gddt", "Sở Giáo dục và Đào tạo tỉnh {p}", "Department of Education and Training of {p} Province"),
    ("so-tnmt", "Sở Tài nguyên và Môi trường tỉnh {p}",
     "Department of Natural Resources and Environment of {p} Province"),
    ("so-xay-dung", "Sở Xây dựng tỉnh {p}", "Department of Construction of {p} Province"),
    ("so-gtvt", "Sở Giao thông vận tải tỉnh {p}", "Department of Transport of {p} Province"),
    ("so-tai-chinh", "Sở Tài chính tỉnh {p}", "Department of Finance of {p} Province"),
    ("so-noi-vu", "Sở Nội vụ tỉnh {p}", "Department of Home Affairs of {p} Province"),
    ("so-tttt", "Sở Thông tin và Truyền thông tỉnh {p}",
     "Department of Information and Communications of {p} Province"),
    ("so-cong-thuong", "Sở Công Thương tỉnh {p}", "Department of Industry and Trade of {p} Province"),
    ("so-nnptnt", "Sở Nông nghiệp và Phát triển nông thôn tỉnh {p}",
     "Department of Agriculture and Rural Development of {p} Province"),
    ("so-ldtbxh", "Sở Lao động - Thương binh và Xã hội tỉnh {p}",
     "Department of Labour, Invalids and Social Affairs of {p} Province"),
    ("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch tỉnh {p}",
     "Department of Culture, Sports and Tourism of {p} Province"),
    ("so-khcn", "Sở Khoa học và Công nghệ tỉnh {p}", "Department of Science and Technology of {p} Province"),
    ("thanh-tra-tinh", "Thanh tra tỉnh {p}", "Inspectorate of {p} Province"),
    ("ban-dan-toc", "Ban Dân tộc tỉnh {p}", "Committee for Ethnic Minority Affairs of {p} Province"),
)
HEALTH_DEPARTMENT, EDUCATION_DEPARTMENT = "so-y-te", "so-gddt"
PROVINCE_ORGS = (
    ("tinh-uy", "Tỉnh ủy {p}", "{p} Provincial Party Committee"),
    ("ubmttq", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh {p}", "Vietnam Fatherland Front Committee of {p} Province"),
    ("tinh-doan", "Tỉnh đoàn {p}", "{p} Provincial Ho Chi Minh Communist Youth Union"),
    ("hlhpn", "Hội Liên hiệp Phụ nữ tỉnh {p}", "{p} Provincial Women's Union"),
    ("hnd", "Hội Nông dân tỉnh {p}", "{p} Provincial Farmers' Union"),
    ("hccb", "Hội Cựu chiến binh tỉnh {p}", "{p} Provincial Veterans' Association"),
    ("ldld", "Liên đoàn Lao động tỉnh {p}", "{p} Provincial Federation of Labour"),
)
PROVINCE_HOSPITALS = (
    ("bv-dk", "Bệnh viện Đa khoa tỉnh {p}", "{p} Provincial General Hospital"),
    ("bv-yhct", "Bệnh viện Y học cổ truyền tỉnh {p}", "{p} Provincial Traditional Medicine Hospital"),
    ("bv-sn", "Bệnh viện Sản - Nhi tỉnh {p}", "{p} Provincial Obstetrics and Paediatrics Hospital"),
    ("bv-phoi", "Bệnh viện Phổi tỉnh {p}", "{p} Provincial Lung Hospital"),
    ("bv-tt", "Bệnh viện Tâm thần tỉnh {p}", "{p} Provincial Psychiatric Hospital"),
)
PROVINCE_SCHOOLS = (
    ("thpt-chuyen", "Trường Trung học phổ thông chuyên tỉnh {p}", "{p} Specialised High School"),
    ("ptdtnt", "Trường Phổ thông Dân tộc nội trú tỉnh {p}", "{p} Provincial Ethnic Minority Boarding School"),
    ("cd-su-pham", "Trường Cao đẳng Sư phạm {p}", "{p} Teacher Training College"),
    ("thpt", "Trường Trung học phổ thông số {n} tỉnh {p}", "{p} High School No. {n}"),
)
PROVINCE_OTHERS = (
    ("tt-hcc", "Trung tâm Phục vụ hành chính công tỉnh {p}", "{p} Public Administrative Service Centre"),
    ("tt-cntt", "Trung tâm Công nghệ thông tin và Truyền thông tỉnh {p}",
     "{p} Information and Communications Technology Centre"),
    ("dai-ptth", "Đài Phát thanh và Truyền hình tỉnh {p}", "{p} Radio and Television Station"),
    ("quy-dtpt", "Quỹ Đầu tư phát triển tỉnh {p}", "{p} Development Investment Fund"),
)
DISTRICT_PC = ("ubnd", "Ủy ban nhân dân {d}", "People's Committee of {dn} {dt}")
DISTRICT_ORGS = (
    ("huyen-uy", "{party} {dn}", "{dn} {dt} Party Committee"),
    ("ubmttq", "Ủy ban Mặt trận Tổ quốc Việt Nam {d}", "Vietnam Fatherland Front Committee of {dn} {dt}"),
    ("huyen-doan", "{youth} {dn}", "{dn} {dt} Youth Union"),
    ("hlhpn", "Hội Liên hiệp Phụ nữ {d}", "{dn} {dt} Women's Union"),
    ("hnd", "Hội Nông dân {d}", "{dn} {dt} Farmers' Union"),
)
# a district organisation's parent: the province organisation of this key (else of its own key)
ORG_PARENTS = {"huyen-uy": "tinh-uy", "huyen-doan": "tinh-doan"}
DISTRICT_HOSPITALS = (("bv-dk", "Bệnh viện Đa khoa {d}", "{dn} {dt} General Hospital"),)
DISTRICT_HEALTH = (("ttyt", "Trung tâm Y tế {d}", "{dn} {dt} Health Centre"),)
DISTRICT_SCHOOLS = (
    ("gdnn-gdtx", "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên {d}",
     "{dn} {dt} Vocational and Continuing Education Centre"),
    ("ptdtnt", "Trường Phổ thông Dân tộc nội trú Trung học cơ sở {d}",
     "{dn} {dt} Ethnic Minority Boarding Lower Secondary School"),
    ("thcs", "Trường Trung học cơ sở số {n} {d}", "{dn} {dt} Lower Secondary School No. {n}"),
)
COMMUNE_PC = ("ubnd", "Ủy ban nhân dân {c}", "{cn} {ct} People's Committee")
COMMUNE_HEALTH = (("tyt", "Trạm Y tế {c}", "{cn} {ct} Health Station"),)
COMMUNE_SCHOOLS = (
    ("th", "Trường Tiểu học {cn}", "{cn} Primary School"),
    ("mn", "Trường Mầm non {cn}", "{cn} Kindergarten"),
    ("thcs", "Trường Trung học cơ sở {cn}", "{cn} Lower Secondary School"),
    ("ptdtbt", "Trường Phổ thông Dân tộc bán trú số {n} {cn}", "{cn} Ethnic Minority Semi-boarding School No. {n}"),
)

# How many agencies of each (tier, kind) a province of AGENCIES_PER_PROVINCE agencies has,
# beside its People's Committee; the same shares scale a registry of any size.
AGENCIES_PER_PROVINCE = 190
AGENCY_SHARES = (
    ("province", "department", 18), ("province", "political_org", 4), ("province", "hospital", 2),
    ("province", "school", 3), ("province", "other", 2),
    ("district", "people_committee", 10), ("district", "political_org", 10), ("district", "hospital", 5),
    ("district", "health_facility", 5), ("district", "school", 6),
    ("commune", "people_committee", 80), ("commune", "health_facility", 25), ("commune", "school", 19),
)
INACTIVE_COMMUNE_SHARE = 0.015  # communes merged away: their agencies are kept, inactive

# Procedure names: a verb (Vietnamese, English) applied to an object. Each object names
# the verbs it takes by letter; "_" is an object that is a whole name already, and "+"
# an object whose procedures differ for organisations and for individuals.
VERBS = {
    "C": ("Cấp {}", "Issuance of {}"),
    "L": ("Cấp lại {}", "Reissuance of {}"),
    "D": ("Điều chỉnh {}", "Amendment of {}"),
    "G": ("Gia hạn {}", "Extension of {}"),
    "T": ("Thu hồi {}", "Revocation of {}"),
    "J": ("Đổi {}", "Exchange of {}"),
    "R": ("Đăng ký {}", "Registration of {}"),
    "A": ("Đăng ký lại {}", "Re-registration of {}"),
    "S": ("Đăng ký thay đổi {}", "Registration of changes to {}"),
    "X": ("Thẩm định {}", "Appraisal of {}"),
    "P": ("Phê duyệt {}", "Approval of {}"),
    "W": ("Chấp thuận {}", "Acceptance of {}"),
    "N": ("Công nhận {}", "Recognition of {}"),
    "K": ("Xác nhận {}", "Confirmation of {}"),
    "H": ("Chứng thực {}", "Certification of {}"),
    "Y": ("Cấp bản sao {}", "Copy of {}"),
    "B": ("Giải quyết {}", "Granting {}"),
    "U": ("Thôi hưởng {}", "Termination of {}"),
    "Q": ("Tiếp nhận {}", "Receipt of {}"),
    "O": ("Thông báo {}", "Notification of {}"),
    "F": ("Công bố {}", "Declaration of {}"),
    "V": ("Cho phép {}", "Permission for {}"),
    "Z": ("Tặng {}", "Award of {}"),
    "I": ("Cung cấp {}", "Provision of {}"),
}
# Who a procedure is for (objects marked "+"), and at which level a People's Committee or
# department settles it: added to some names.
AUDIENCES = (("đối với tổ chức", "for organisations"), ("đối với cá nhân", "for individuals"))
TIER_WORDS = {"province": ("cấp tỉnh", "at provincial level"), "district": ("cấp huyện", "at district level"),
              "commune": ("cấp xã", "at commune level")}

# sector code (demo_data.SECTORS) → (object, English object, verbs)
SECTOR_OBJECTS = {
    "ho-tich": (
        ("khai sinh", "birth", "RA"), ("kết hôn", "marriage", "RA"), ("khai tử", "death", "RA"),
        ("giám hộ", "guardianship", "R"), ("chấm dứt giám hộ", "termination of guardianship", "R"),
        ("trích lục hộ tịch", "civil status extracts", "Y"),
        ("tình trạng hôn nhân", "marital status", "K")),
    "chung-thuc": (
        ("bản sao từ bản chính giấy tờ, văn bản", "copies from originals of papers and documents", "H"),
        ("chữ ký trong giấy tờ, văn bản", "signatures on papers and documents", "H"),
        ("hợp đồng, giao dịch liên quan đến động sản", "contracts and transactions on movable property", "H"),
        ("văn bản thỏa thuận phân chia di sản", "agreements on the division of an estate", "H")),
    "ly-lich-tu-phap": (
        ("Phiếu lý lịch tư pháp cho công dân Việt Nam", "judicial record certificates to Vietnamese citizens", "C"),
        ("Phiếu lý lịch tư pháp cho người nước ngoài", "judicial record certificates to foreigners", "C")),
    "quoc-tich": (
        ("Giấy xác nhận có quốc tịch Việt Nam", "certificates of Vietnamese nationality", "C"),
        ("Nhập quốc tịch Việt Nam", "Naturalisation as a Vietnamese citizen", "_"),
        ("Trở lại quốc tịch Việt Nam", "Restoration of Vietnamese nationality", "_")),
    "cong-chung": (
        ("Thẻ công chứng viên", "notary cards", "CLT"),
        ("hoạt động Văn phòng công chứng", "the operation of notary offices", "RS"),
        ("thành lập Văn phòng công chứng", "the establishment of notary offices", "V")),
    "luat-su": (
        ("hoạt động của tổ chức hành nghề luật sư", "the operation of law-practising organisations", "RS"),),
    "dau-gia-tai-san": (
        ("hoạt động doanh nghiệp đấu giá tài sản", "the operation of property auction enterprises", "RS"),
        ("Thẻ đấu giá viên", "auctioneer cards", "CLT")),
    "tro-giup-phap-ly": (
        ("Thẻ cộng tác viên trợ giúp pháp lý", "legal aid collaborator cards", "CLT"),
        ("Thực hiện trợ giúp pháp lý", "Provision of legal aid", "_")),
    "tu-van-phap-luat": (
        ("Giấy đăng ký hoạt động của Trung tâm tư vấn pháp luật",
         "operation registration certificates of legal advice centres", "CLD"),),
    "thanh-lap-doanh-nghiep": (
        ("thành lập doanh nghiệp tư nhân", "the establishment of private enterprises", "R"),
        ("thành lập công ty trách nhiệm hữu hạn một thành viên",
         "the establishment of single-member limited liability companies", "R"),
        ("thành lập công ty cổ phần", "the establishment of joint-stock companies", "R"),
        ("nội dung đăng ký doanh nghiệp", "enterprise registration details", "S"),
        ("Giấy chứng nhận đăng ký doanh nghiệp", "enterprise registration certificates", "LT"),
        ("tạm ngừng kinh doanh", "business suspension", "O")),
    "ho-kinh-doanh": (
        ("hộ kinh doanh", "household businesses", "RS"),
        ("Giấy chứng nhận đăng ký hộ kinh doanh", "household business registration certificates", "LT"),
        ("tạm ngừng kinh doanh của hộ kinh doanh", "suspension of household businesses", "O")),
    "hop-tac-xa": (
        ("hợp tác xã", "cooperatives", "RS"),
        ("giải thể tự nguyện hợp tác xã", "the voluntary dissolution of cooperatives", "R")),
    "dau-tu": (
        ("chủ trương đầu tư dự án", "the investment policy of projects", "WD"),
        ("Giấy chứng nhận đăng ký đầu tư", "investment registration certificates", "CLD")),
    "tai-chinh-ngan-sach": (
        ("quyết toán dự án hoàn thành", "final accounts of completed projects", "XP"),
        ("mã số đơn vị có quan hệ với ngân sách", "budget-related unit codes", "RS")),
    "quan-ly-gia": (
        ("phương án giá", "price plans", "XP"), ("văn bản kê khai giá", "price declarations", "Q")),
    "quan-ly-cong-san": (
        ("phương án xử lý tài sản công", "plans for handling public assets", "XP"),),
    "cong-chuc-vien-chuc": (
        ("kết quả tuyển dụng viên chức", "results of public employee recruitment", "XP"),
        ("chuyển ngạch công chức", "the transfer of civil servant grades", "XP")),
    "to-chuc-phi-chinh-phu": (
        ("thành lập hội", "the establishment of associations", "V"), ("điều lệ hội", "association charters", "P")),
    "thi-dua-khen-thuong": (
        ("danh hiệu Chiến sĩ thi đua cơ sở", "the Grassroots Emulation Fighter title", "Z"),
        ("danh hiệu Lao động tiên tiến", "the Advanced Worker title", "Z"),
        ("Giấy khen của Chủ tịch Ủy ban nhân dân", "certificates of merit of the People's Committee chair", "Z+")),
    "ton-giao": (
        ("sinh hoạt tôn giáo tập trung", "collective religious activities", "R"),
        ("lễ hội tín ngưỡng", "belief festivals", "O")),
    "kham-chua-benh": (
        ("giấy phép hoạt động đối với phòng khám", "operating licences of clinics", "CLD"),
        ("Chứng chỉ hành nghề khám bệnh, chữa bệnh", "medical practice certificates", "CLDT")),
    "duoc": (
        ("Chứng chỉ hành nghề dược", "pharmacy practice certificates", "CLDT"),
        ("Giấy chứng nhận đủ điều kiện kinh doanh dược", "pharmaceutical business eligibility certificates", "CLD")),
    "an-toan-thuc-pham": (
        ("Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "food safety eligibility certificates", "CLT"),
        ("bản công bố sản phẩm", "product declarations", "R")),
    "y-te-du-phong": (
        ("giấy chứng nhận tiêm chủng quốc tế", "international vaccination certificates", "CL"),),
    "giao-duc": (
        ("thành lập trường mầm non", "the establishment of kindergartens", "V"),
        ("hoạt động giáo dục của nhà trường", "educational activities of schools", "V"),
        ("trường đạt chuẩn quốc gia", "schools meeting national standards", "N"),
        ("Chuyển trường đối với học sinh trung học cơ sở", "School transfer of lower secondary pupils", "_")),
    "van-bang-chung-chi": (
        ("bản sao văn bằng, chứng chỉ từ sổ gốc", "copies of diplomas and certificates from the master register", "C"),
        ("nội dung văn bằng, chứng chỉ", "the content of diplomas and certificates", "D"),
        ("văn bằng do cơ sở giáo dục nước ngoài cấp", "diplomas issued by foreign institutions", "N")),
    "thi-tuyen-sinh": (
        ("Phúc khảo bài thi tốt nghiệp trung học phổ thông",
         "Review of upper-secondary graduation examination papers", "_"),
        ("Xét tuyển vào trường phổ thông dân tộc nội trú", "Admission to ethnic minority boarding schools", "_")),
    "dat-dai": (
        ("Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
         "certificates of land use rights and ownership of houses and other land-attached assets", "CLJ+"),
        ("biến động đất đai", "land changes", "R"),
        ("thế chấp quyền sử dụng đất", "mortgages of land use rights", "R+"),
        ("chuyển mục đích sử dụng đất", "changes of land use purpose", "V+"),
        ("Hòa giải tranh chấp đất đai", "Mediation of land disputes", "_")),
    "moi-truong": (
        ("báo cáo đánh giá tác động môi trường", "environmental impact assessment reports", "XP"),
        ("kế hoạch bảo vệ môi trường", "environmental protection plans", "R+"),
        ("giấy phép môi trường", "environmental permits", "CLD+")),
    "tai-nguyen-nuoc": (
        ("giấy phép khai thác, sử dụng nước mặt", "surface water exploitation permits", "CDGT+"),
        ("giấy phép khai thác nước dưới đất", "groundwater exploitation permits", "CDGT+"),
        ("giấy phép xả nước thải vào nguồn nước", "wastewater discharge permits", "CDGT")),
    "khoang-san": (
        ("giấy phép thăm dò khoáng sản", "mineral exploration permits", "CDGT"),
        ("giấy phép khai thác khoáng sản", "mineral mining permits", "CDGT+"),
        ("đề án đóng cửa mỏ khoáng sản", "mine closure plans", "XP")),
    "hoat-dong-xay-dung": (
        ("giấy phép xây dựng", "construction permits", "CLDG+"),
        ("giấy phép xây dựng nhà ở riêng lẻ", "construction permits for individual houses", "CLDG"),
        ("chứng chỉ hành nghề hoạt động xây dựng", "construction practice certificates", "CLD"),
        ("chứng chỉ năng lực hoạt động xây dựng", "construction capacity certificates", "CLD"),
        ("báo cáo nghiên cứu khả thi đầu tư xây dựng", "feasibility study reports for construction investment", "X")),
    "quy-hoach-xay-dung": (
        ("quy hoạch chi tiết xây dựng", "detailed construction plans", "XPD"),
        ("giấy phép quy hoạch", "planning permits", "CD"),
        ("thông tin quy hoạch xây dựng", "construction planning information", "I")),
    "nha-o": (
        ("Giấy chứng nhận quyền sở hữu nhà ở", "house ownership certificates", "CL"),
        ("hồ sơ mua, thuê nhà ở xã hội", "applications to buy or rent social housing", "Q")),
    "kinh-doanh-bat-dong-san": (
        ("Chứng chỉ hành nghề môi giới bất động sản", "real estate brokerage certificates", "CL"),),
    "duong-bo": (
        ("giấy phép lái xe", "driving licences", "CLJ"),
        ("giấy phép kinh doanh vận tải bằng xe ô tô", "motor vehicle transport business licences", "CLDT"),
        ("phù hiệu xe ô tô kinh doanh vận tải", "badges of commercial vehicles", "CL"),
        ("giấy phép lưu hành xe quá tải trọng", "permits for overweight vehicles", "C"),
        ("giấy phép thi công công trình trên đường bộ", "permits for works on roads", "CG")),
    "duong-thuy-noi-dia": (
        ("phương tiện thủy nội địa", "inland waterway vessels", "RAS"),
        ("hoạt động bến thủy nội địa", "the operation of inland waterway wharves", "F")),
    "bao-chi": (
        ("giấy phép xuất bản bản tin", "newsletter publication licences", "CD"), ("thẻ nhà báo", "press cards", "CL")),
    "thong-tin-dien-tu": (
        ("giấy phép thiết lập trang thông tin điện tử tổng hợp", "licences for general news websites", "CLDG"),),
    "xuat-ban": (
        ("giấy phép hoạt động in", "printing licences", "CLDT"),
        ("giấy phép xuất bản tài liệu không kinh doanh", "licences to publish non-commercial materials", "C")),
    "buu-chinh": (("giấy phép bưu chính", "postal licences", "CLDT"),),
    "luu-thong-hang-hoa": (
        ("giấy phép bán lẻ rượu", "liquor retail licences", "CLDT"),
        ("giấy phép bán lẻ sản phẩm thuốc lá", "tobacco retail licences", "CLDT"),
        ("Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu", "eligibility certificates of petrol stations",
         "CLDT")),
    "thuong-mai-quoc-te": (
        ("giấy phép thành lập văn phòng đại diện của thương nhân nước ngoài",
         "licences for representative offices of foreign traders", "CLDGT"),),
    "xuc-tien-thuong-mai": (
        ("thực hiện khuyến mại", "sales promotions", "R"),
        ("tổ chức hội chợ, triển lãm thương mại", "trade fairs and exhibitions", "R")),
    "dien": (("giấy phép hoạt động điện lực", "electricity operation licences", "CDT"),),
    "hoa-chat": (
        ("Giấy chứng nhận đủ điều kiện sản xuất, kinh doanh hóa chất", "chemical business eligibility certificates",
         "CLD"),),
    "nong-nghiep": (
        ("Giấy chứng nhận kinh tế trang trại", "farm economy certificates", "CL"),
        ("hỗ trợ phát triển sản xuất nông nghiệp", "support for agricultural production", "B")),
    "bao-ve-thuc-vat": (
        ("Giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật", "eligibility certificates to trade pesticides",
         "CLT"),),
    "thu-y": (
        ("Chứng chỉ hành nghề thú y", "veterinary practice certificates", "CLG"),
        ("Giấy chứng nhận cơ sở an toàn dịch bệnh động vật", "animal disease-free establishment certificates", "CLT")),
    "lam-nghiep": (
        ("phương án quản lý rừng bền vững", "sustainable forest management plans", "XP"),
        ("nguồn gốc lâm sản", "the origin of forest products", "K")),
    "thuy-loi": (
        ("giấy phép hoạt động trong phạm vi bảo vệ công trình thủy lợi",
         "permits for activities within irrigation protection zones", "CDGT"),),
    "viec-lam": (
        ("giấy phép lao động cho người nước ngoài", "work permits for foreigners", "CLG"),
        ("trợ cấp thất nghiệp", "unemployment benefit", "BU"),
        ("hỗ trợ học nghề", "vocational training support", "B")),
    "lao-dong": (
        ("nội quy lao động", "internal labour rules", "R"),
        ("giấy phép hoạt động cho thuê lại lao động", "labour sub-leasing licences", "CLGT")),
    "nguoi-co-cong": (
        ("chế độ trợ cấp ưu đãi đối với thân nhân liệt sĩ", "preferential allowances for families of martyrs", "BD"),
        ("trợ cấp một lần đối với người có công", "one-off allowances for people with meritorious services", "B"),
        ("chế độ điều dưỡng phục hồi sức khỏe", "convalescence allowances", "B")),
    "bao-tro-xa-hoi": (
        ("trợ cấp xã hội hằng tháng", "monthly social allowances", "BDU"),
        ("hỗ trợ chi phí mai táng", "funeral cost support", "B"),
        ("mức độ khuyết tật", "disability levels", "K")),
    "giam-ngheo": (
        ("hộ thoát nghèo, hộ thoát cận nghèo", "households escaping poverty", "N"),
        ("hộ làm nông nghiệp có mức sống trung bình", "farming households of average living standard", "K")),
    "giao-duc-nghe-nghiep": (
        ("giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp", "vocational education registration certificates",
         "CD"),),
    "van-hoa": (
        ("giấy phép kinh doanh dịch vụ karaoke", "karaoke business licences", "CD"),
        ("danh hiệu Khu dân cư văn hóa", "the Cultured Residential Area title", "Z"),
        ("tổ chức lễ hội", "festivals", "O")),
    "gia-dinh": (("danh hiệu Gia đình văn hóa", "the Cultured Family title", "Z"),),
    "du-lich": (
        ("giấy phép kinh doanh dịch vụ lữ hành nội địa", "domestic travel business licences", "CLDT"),
        ("thẻ hướng dẫn viên du lịch", "tour guide cards", "CLJ")),
    "the-duc-the-thao": (
        ("Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao", "sports business eligibility certificates",
         "CLD"),),
    "hoat-dong-khcn": (
        ("Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ", "science and technology registration certificates",
         "CLD"),
        ("hợp đồng chuyển giao công nghệ", "technology transfer contracts", "R")),
    "tieu-chuan-do-luong": (("công bố hợp quy", "declarations of conformity", "R"),),
    "an-toan-buc-xa": (("giấy phép tiến hành công việc bức xạ", "radiation work licences", "CLDG"),),
    "khieu-nai-to-cao": (
        ("Giải quyết khiếu nại lần đầu", "Settlement of first-time complaints", "_"),
        ("Giải quyết khiếu nại lần hai", "Settlement of second-time complaints", "_"),
        ("Giải quyết tố cáo", "Settlement of denunciations", "_")),
    "tiep-cong-dan": (
        ("Tiếp công dân", "Citizen reception", "_"),
        ("Xử lý đơn kiến nghị, phản ánh", "Handling petitions and feedback", "_")),
    "phong-chong-tham-nhung": (
        ("Kê khai tài sản, thu nhập", "Declaration of assets and income", "_"),
        ("Xác minh tài sản, thu nhập", "Verification of assets and income", "_")),
    "kiem-soat-tthc": (
        ("Tiếp nhận, xử lý phản ánh, kiến nghị về quy định hành chính",
         "Handling feedback and petitions on administrative regulations", "_"),),
    "tiep-can-thong-tin": (("thông tin theo yêu cầu", "information on request", "I"),),
    "cong-tac-dan-toc": (
        ("người có uy tín trong đồng bào dân tộc thiểu số", "prestigious persons among ethnic minorities", "NK"),),
}
# What the agencies that are not State bodies offer: (sector code, object, English, verbs).
FACILITY_OBJECTS = {
    "hospital": (
        ("kham-chua-benh", "giấy chứng sinh", "medical birth certificates", "CL"),
        ("kham-chua-benh", "giấy chứng nhận nghỉ việc hưởng bảo hiểm xã hội",
         "certificates of sick leave with social insurance", "C"),
        ("kham-chua-benh", "giấy chuyển tuyến khám bệnh, chữa bệnh bảo hiểm y tế", "health insurance referral papers",
         "C"),
        ("kham-chua-benh", "giấy chứng nhận sức khỏe", "health certificates", "C"),
        ("giam-dinh-y-khoa", "Khám giám định mức độ khuyết tật", "Medical assessment of disability", "_")),
    "health_facility": (
        ("kham-chua-benh", "giấy chứng sinh", "medical birth certificates", "CL"),
        ("kham-chua-benh", "giấy chuyển tuyến khám bệnh, chữa bệnh bảo hiểm y tế", "health insurance referral papers",
         "C"),
        ("y-te-du-phong", "Tiêm chủng mở rộng", "Expanded immunisation", "_")),
    "school": (
        ("van-bang-chung-chi", "bản sao văn bằng, chứng chỉ từ sổ gốc",
         "copies of diplomas and certificates from the master register", "C"),
        ("thi-tuyen-sinh", "Tuyển sinh vào lớp đầu cấp", "Admission to the first grade", "_"),
        ("giao-duc", "Chuyển trường đối với học sinh", "School transfer of pupils", "_"),
        ("giao-duc", "Xin học lại tại trường khác", "Re-enrolment at another school", "_")),
    "political_org": (
        ("thi-dua-khen-thuong", "Bằng khen", "certificates of merit", "Z+"),
        ("tiep-cong-dan", "Tiếp nhận đơn thư của công dân", "Receipt of citizens' letters", "_")),
    "other": (
        ("tiep-can-thong-tin", "thông tin theo yêu cầu", "information on request", "I"),
        ("thong-tin-dien-tu", "Đăng tải thông tin trên cổng thông tin điện tử", "Publication on the e-portal", "_"),
        ("kiem-soat-tthc", "Tiếp nhận hồ sơ thủ tục hành chính", "Receipt of administrative procedure files", "_")),
}
PROVINCE_PC_SECTORS = ("kiem-soat-tthc", "tiep-cong-dan", "khieu-nai-to-cao", "thi-dua-khen-thuong", "dau-tu",
                       "dat-dai")
DISTRICT_PC_SECTORS = ("nguoi-co-cong", "bao-tro-xa-hoi", "tai-nguyen-nuoc", "moi-truong", "nong-nghiep",
                       "giao-duc-nghe-nghiep")
COMMUNE_PC_SECTORS = ("gia-dinh", "bao-tro-xa-hoi", "nguoi-co-cong", "thi-dua-khen-thuong", "nong-nghiep",
                      "lam-nghiep")
REAL_NAME_SHARE = 0.7  # of an agency's real procedures (demonstration set), the share it offers

# Relative number of services an agency of each (tier, kind) offers; a department's
# follows the number of its real procedures.
SERVICE_WEIGHTS = {
    ("province", "people_committee"): 15, ("province", "department"): 40, ("district", "people_committee"): 30,
    ("commune", "people_committee"): 7, "political_org": 0.5, "hospital": 3, "health_facility": 0.5,
    "school": 1, "other": 2,
}
INACTIVE_SERVICE_SHARE = 0.02
TIER_DIGIT = {"province": 1, "district": 2, "commune": 3}  # first digit of a procedure code, by level

NOTES = (
    "Đã kết nối với Cổng Dịch vụ công quốc gia.",
    "Đang nâng cấp lên mức độ cao hơn.",
    "Biểu mẫu đã cập nhật theo quy định mới.",
    "Tiếp nhận hồ sơ qua bộ phận một cửa.",
)
NOTE_SHARE = 0.03

# How fast an agency's services climb the levels: each year a service below level 3
# climbs one level with this chance (× the agency's pace); level 3 came with the
# national push of the mid-2010s.
LEVEL_AT_START = 0.3  # chance of level 1 before the first period
LEVEL_CLIMB = {0: 0.3, 1: 0.22}
HIGH_LEVEL_PUSH_YEAR = 2015
HIGH_LEVEL_CLIMB = (0.02, 0.10)  # from level 2 up: before the push year, from it on
TIER_PACE = {"province": 1.15, "district": 1.0, "commune": 0.85}

# Submission histories, as the workflow makes them: each step is one write or one
# transition and bumps the version; "overstate" writes entries the auditor will not
# accept (a level its evidence does not show, a figure too high), "correct" the true ones.
HISTORIES = {
    "draft": ("partial",),
    "submitted": ("correct", "submit"),
    "returned": ("overstate", "submit", "return"),
    "verified": ("correct", "submit", "verify"),
    "verified_after_return": ("overstate", "submit", "return", "correct", "submit", "verify"),
    "corrected": ("overstate", "submit", "verify", "reopen", "correct", "submit", "verify"),
    "reopened": ("overstate", "submit", "verify", "reopen", "correct"),
}
# The histories of a closed period, as shares of the agencies that reported.
CLOSED_SHARES = (("verified", 0.86), ("verified_after_return", 0.07), ("corrected", 0.03),
                 ("submitted", 0.025), ("returned", 0.015))
# The open period: agencies part-way through, as shares of the active agencies.
OPEN_SHARES = (("none", 0.12), ("draft", 0.16), ("reopened", 0.03), ("submitted", 0.20), ("returned", 0.07),
               ("verified", 0.36), ("verified_after_return", 0.04), ("corrected", 0.02))
REPORTING_AT_START, REPORTING_GROWTH, REPORTING_MAX = 0.8, 0.04, 0.99
# The days a step takes (from, to), after the one before.
STEP_DAYS = {"partial": (1, 15), "overstate": (1, 15), "correct": (1, 10), "submit": (0, 10),
             "verify": (1, 30), "return": (1, 20), "reopen": (3, 60)}
WRITES = ("partial", "overstate", "correct")
PARTIAL_FIELDS = ("has_lan", "wan_connected", "staff_total")  # what a draft half-way through has


# --- agencies -----------------------------------------------------------------------

@dataclass
class _Agency:
    id: int
    code: str
    name: str
    name_en: str
    tier: str
    kind: str
    parent_id: int | None
    province: int
    catalogue: str  # which procedures it offers (see _catalogue)
    active: bool = True


@dataclass(frozen=True)
class _Place:
    name: str  # "Tuần Giáo"
    kind: str  # "huyện"
    kind_en: str  # "District"


def apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing to ``total``."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[:total - sum(counts)]:
        counts[i] += 1
    return counts


def _place_names(rng: random.Random, count: int) -> list[str]:
    """``count`` two-syllable names, all different while the syllables allow."""
    names = [f"{a} {b}" for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
    rng.shuffle(names)
    return [names[i % len(names)] for i in range(count)]


def _places(rng: random.Random, count: int, types) -> list[_Place]:
    """``count`` places, each of a kind drawn with the shares of ``types``."""
    return [_Place(name, *_draw_kind(rng, types)) for name in _place_names(rng, count)]


def _draw_kind(rng: random.Random, types) -> tuple[str, str]:
    roll = rng.random()
    for kind, kind_en, share in types:
        roll -= share
        if roll < 0:
            return kind, kind_en
    return types[-1][0], types[-1][1]


def _capacity(templates, places: int) -> int | None:
    """How many agencies a template list can name over ``places`` (None: no limit)."""
    return None if "{n}" in templates[-1][1] else places * len(templates)


def _agency_counts(total: int) -> tuple[int, dict[tuple[str, str], int]]:
    """How many provinces, and how many agencies of each (tier, kind) beside their People's Committees."""
    provinces = min(total, max(1, round(total / AGENCIES_PER_PROVINCE)))
    counts = dict(zip([(t, k) for t, k, _ in AGENCY_SHARES],
                      apportion(total - provinces, [w for _, _, w in AGENCY_SHARES])))
    districts = max(1, counts["district", "people_committee"])
    # what a template list cannot name goes to the communes, which can always be more
    for key, templates, places in ((("province", "department"), DEPARTMENTS, provinces),
                                   (("province", "political_org"), PROVINCE_ORGS, provinces),
                                   (("province", "hospital"), PROVINCE_HOSPITALS, provinces),
                                   (("province", "other"), PROVINCE_OTHERS, provinces),
                                   (("district", "political_org"), DISTRICT_ORGS, districts),
                                   (("district", "hospital"), DISTRICT_HOSPITALS, districts),
                                   (("district", "health_facility"), DISTRICT_HEALTH, districts)):
        capacity = _capacity(templates, places)
        if capacity is not None and counts[key] > capacity:
            counts["commune", "people_committee"] += counts[key] - capacity
            counts[key] = capacity
    communes = max(1, counts["commune", "people_committee"])
    overflow = counts["commune", "health_facility"] - _capacity(COMMUNE_HEALTH, communes)
    if overflow > 0:
        counts["commune", "health_facility"] -= overflow
        counts["commune", "school"] += overflow
    return provinces, counts


def _fill(template, index: int, places: int, **words) -> tuple[str, str, str]:
    """The (code suffix, name, English name) of the ``index``-th agency of a template list."""
    templates = template if isinstance(template[0], tuple) else (template,)
    slot = index // places
    if slot < len(templates) - ("{n}" in templates[-1][1]):
        key, vi, en = templates[slot]
        number = None
    else:
        key, vi, en = templates[-1]
        number = slot - len(templates) + 2
    words["n"] = number
    return (f"{key}-{number}" if number else key), vi.format(**words), en.format(**words)


def _plan_agencies(total: int, rng: random.Random) -> list[_Agency]:
    """The agencies, parents before children, with their ids."""
    provinces, counts = _agency_counts(total)
    district_count = max(1, counts["district", "people_committee"])
    commune_count = max(1, counts["commune", "people_committee"])
    province_names = _place_names(rng, provinces)
    districts = _places(rng, district_count, DISTRICT_TYPES)
    communes = _places(rng, commune_count, COMMUNE_TYPES)
    district_province = [d % provinces for d in range(district_count)]
    commune_district = [c % district_count for c in range(commune_count)]

    agencies: list[_Agency] = []
    by_key: dict[tuple, int] = {}  # (level, place, key) → agency id, for the parents

    def add(code, name, name_en, tier, kind, parent, province, catalogue, key=None):
        agency = _Agency(len(agencies) + 1, code, name, name_en, tier, kind, parent, province, catalogue)
        agencies.append(agency)
        if key is not None:
            by_key[key] = agency.id
        return agency

    def province_words(p):
        return {"p": province_names[p]}

    def district_words(d):
        place = districts[d]
        party, youth = DISTRICT_PARTY[place.kind]
        return {"d": f"{place.kind} {place.name}", "dn": place.name, "dt": place.kind_en, "party": party,
                "youth": youth}

    def commune_words(c):
        place = communes[c]
        return {"c": f"{place.kind} {place.name}", "cn": place.name, "ct": place.kind_en}

    def code_of(*parts):
        return "-".join(parts)

    # province level
    for p in range(provinces):
        key, name, name_en = _fill(PROVINCE_PC, p, provinces, **province_words(p))
        add(code_of(f"t{p + 1:02d}", key), name, name_en, "province", "people_committee", None, p,
            "province_pc", ("province", p, "ubnd"))
    for kind, templates, catalogue in (("department", DEPARTMENTS, "department"),
                                       ("political_org", PROVINCE_ORGS, "political_org"),
                                       ("hospital", PROVINCE_HOSPITALS, "hospital"),
                                       ("school", PROVINCE_SCHOOLS, "school"),
                                       ("other", PROVINCE_OTHERS, "other")):
        for i in range(counts["province", kind]):
            p = i % provinces
            key, name, name_en = _fill(templates, i, provinces, **province_words(p))
            pc = by_key["province", p, "ubnd"]
            parent = {"department": pc, "political_org": None,
                      "hospital": by_key.get(("province", p, HEALTH_DEPARTMENT), pc),
                      "school": by_key.get(("province", p, EDUCATION_DEPARTMENT), pc),
                      "other": pc}[kind]
            add(code_of(f"t{p + 1:02d}", key), name, name_en, "province", kind, parent, p,
                f"department:{key}" if kind == "department" else catalogue, ("province", p, key))

    # district level
    def district_code(d, key):
        return code_of(f"t{district_province[d] + 1:02d}", f"h{d // provinces + 1:02d}", key)

    for d in range(counts["district", "people_committee"]):
        p = district_province[d]
        key, name, name_en = _fill(DISTRICT_PC, d, district_count, **district_words(d))
        add(district_code(d, key), name, name_en, "district", "people_committee", by_key["province", p, "ubnd"], p,
            "district_pc", ("district", d, "ubnd"))
    for kind, templates in (("political_org", DISTRICT_ORGS), ("hospital", DISTRICT_HOSPITALS),
                            ("health_facility", DISTRICT_HEALTH), ("school", DISTRICT_SCHOOLS)):
        for i in range(counts["district", kind]):
            d = i % district_count
            p = district_province[d]
            key, name, name_en = _fill(templates, i, district_count, **district_words(d))
            district_pc = by_key.get(("district", d, "ubnd"), by_key["province", p, "ubnd"])
            parent = {"political_org": by_key.get(("province", p, ORG_PARENTS.get(key, key))),
                      "hospital": by_key.get(("province", p, HEALTH_DEPARTMENT), by_key["province", p, "ubnd"]),
                      "health_facility": by_key.get(("province", p, HEALTH_DEPARTMENT), by_key["province", p, "ubnd"]),
                      "school": district_pc}[kind]
            add(district_code(d, key), name, name_en, "district", kind, parent, p, kind, ("district", d, key))

    # commune level
    def commune_code(c, key):
        d = commune_district[c]
        return code_of(district_code(d, f"x{c // district_count + 1:03d}"), key)

    for c in range(counts["commune", "people_committee"]):
        d = commune_district[c]
        p = district_province[d]
        key, name, name_en = _fill(COMMUNE_PC, c, commune_count, **commune_words(c))
        parent = by_key.get(("district", d, "ubnd"), by_key["province", p, "ubnd"])
        add(commune_code(c, key), name, name_en, "commune", "people_committee", parent, p, "commune_pc")
    for kind, templates in (("health_facility", COMMUNE_HEALTH), ("school", COMMUNE_SCHOOLS)):
        for i in range(counts["commune", kind]):
            c = i % commune_count
            d = commune_district[c]
            p = district_province[d]
            key, name, name_en = _fill(templates, i, commune_count, **commune_words(c))
            district_pc = by_key.get(("district", d, "ubnd"), by_key["province", p, "ubnd"])
            parent = by_key.get(("district", d, "ttyt"), district_pc) if kind == "health_facility" else district_pc
            add(commune_code(c, key), name, name_en, "commune", kind, parent, p, kind)

    for agency in agencies:
        if agency.tier == "commune" and rng.random() < INACTIVE_COMMUNE_SHARE:
            agency.active = False
    return agencies


# --- services -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Procedure:
    name: str
    name_en: str
    sector: str  # the sector's Vietnamese name, as stored


SECTOR_NAMES = {code: name for code, name, _en in SECTORS}


def _compose(sector: str, obj: str, obj_en: str, verbs: str, tier: str | None) -> list[_Procedure]:
    """Every name a (sector, object) gives: each verb, alone, for each audience, at the level ``tier``."""
    if verbs == "_":
        bases = [(obj, obj_en)]
    else:
        bases = [(VERBS[v][0].format(obj), VERBS[v][1].format(obj_en)) for v in verbs if v in VERBS]
    qualifiers = [("", "")] + (list(AUDIENCES) if "+" in verbs else []) + ([TIER_WORDS[tier]] if tier else [])
    sector_name = SECTOR_NAMES[sector]
    return [_Procedure(f"{vi} {q}".strip(), f"{en} {q_en}".strip(), sector_name)
            for vi, en in bases for q, q_en in qualifiers]


def _real(procedures) -> list[_Procedure]:
    return [_Procedure(name, name_en, SECTOR_NAMES[sector]) for name, name_en, sector in procedures]


def _catalogue(key: str, tier: str, cache: dict) -> tuple[list[_Procedure], list[_Procedure]]:
    """(real procedures, composed procedures) that an agency of this catalogue key offers."""
    cached = cache.get((key, tier))
    if cached is not None:
        return cached
    if key.startswith("department:"):
        real = _real(PROVINCE_PROCEDURES.get(key.partition(":")[2], ()))
        sectors = sorted({p[2] for p in PROVINCE_PROCEDURES.get(key.partition(":")[2], ())})
    elif key == "province_pc":
        real, sectors = [], list(PROVINCE_PC_SECTORS)
    elif key == "district_pc":
        real = _real(DISTRICT_PROCEDURES)
        sectors = sorted({p[2] for p in DISTRICT_PROCEDURES} | set(DISTRICT_PC_SECTORS))
    elif key == "commune_pc":
        real = _real(COMMUNE_PROCEDURES)
        sectors = sorted({p[2] for p in COMMUNE_PROCEDURES} | set(COMMUNE_PC_SECTORS))
    else:
        real, sectors = [], []
    composed = [p for s in sectors for obj in SECTOR_OBJECTS.get(s, ()) for p in _compose(s, *obj, tier)]
    composed += [p for s, *obj in FACILITY_OBJECTS.get(key, ()) for p in _compose(s, *obj, None)]
    cache[key, tier] = (real, composed)
    return real, composed


def _service_weight(agency: _Agency) -> float:
    weight = SERVICE_WEIGHTS.get((agency.tier, agency.kind), SERVICE_WEIGHTS.get(agency.kind, 1))
    if agency.kind == "department":
        real = len(PROVINCE_PROCEDURES.get(agency.catalogue.partition(":")[2], ()))
        average = sum(map(len, PROVINCE_PROCEDURES.values())) / len(PROVINCE_PROCEDURES)
        weight *= max(real, 1) / average
    return weight


def _choose_procedures(rng: random.Random, wanted: int, real, composed) -> list[_Procedure]:
    """``wanted`` procedures for one agency: most of its real ones first, then composed
    ones, all different while the catalogue lasts."""
    if wanted == 0:
        return []
    chosen = [p for p in rng.sample(real, len(real)) if rng.random() < REAL_NAME_SHARE][:wanted]
    pool = composed or real  # every catalogue has one or the other
    chosen += rng.sample(pool, min(wanted - len(chosen), len(pool)))
    return chosen + rng.choices(pool, k=wanted - len(chosen))


@dataclass
class _Service:
    id: int
    code: str
    procedure: _Procedure
    agency_id: int
    active: bool


def _plan_services(total: int, agencies: list[_Agency], rng: random.Random) -> list[_Service]:
    """The services, grouped by agency in id order (so that an agency's services are a range of ids)."""
    weights = [_service_weight(a) * rng.uniform(0.5, 1.5) for a in agencies]
    cache: dict = {}
    services: list[_Service] = []
    for agency, quota in zip(agencies, apportion(total, weights)):
        real, composed = _catalogue(agency.catalogue, agency.tier, cache)
        for procedure in _choose_procedures(rng, quota, real, composed):
            service_id = len(services) + 1
            services.append(_Service(service_id, f"{TIER_DIGIT[agency.tier]}.{service_id:06d}", procedure,
                                     agency.id, rng.random() >= INACTIVE_SERVICE_SHARE))
    return services


def _level_history(rng: random.Random, pace: float, years: list[int]) -> bytes:
    """One service's level in each year: it climbs at most one level a year and never falls."""
    level = 1 if rng.random() < LEVEL_AT_START * pace else 0
    history = bytearray()
    for year in years:
        roll = rng.random()
        if level < MAX_LEVEL:
            chance = LEVEL_CLIMB.get(level, HIGH_LEVEL_CLIMB[year >= HIGH_LEVEL_PUSH_YEAR])
            if roll < chance * pace:
                level += 1
        history.append(level)
    return bytes(history)


# --- rows ------------------------------------------------------------------------------

# Many services share a name: each name is folded and sorted once. Folding the parts
# and joining them with a space is folding the joined text (fold collapses spaces).
_fold_part = lru_cache(maxsize=100_000)(fold)
_name_sort = lru_cache(maxsize=100_000)(sort_key)


def name_keys(code: str, name: str, name_en: str | None) -> tuple[str, str]:
    """The (name_key, name_sort) that the ORM events of models.py store for a record."""
    return " ".join(_fold_part(p) for p in (code, name, name_en) if p), _name_sort(name)


class _BulkWriter:
    """Rows buffered per table, written in batches, parents before children.

    SQLAlchemy's executemany spends more time per row building parameters than the
    database spends storing it, and the national size has millions of rows: so the
    rows go to the driver as tuples, through PostgreSQL's COPY or SQLite's
    executemany, after SQLAlchemy's own bind processors of each column type (so
    that a timestamp or a boolean is stored exactly as the ORM stores it).
    """

    TABLES = (Agency.__table__, Service.__table__, ReportingPeriod.__table__, Submission.__table__,
              ServiceStatus.__table__, VerifiedCopy.__table__, VerifiedServiceStatus.__table__)

    def __init__(self, connection: Connection, batch_rows: int = BATCH_ROWS):
        self.connection = connection
        self.batch_rows = batch_rows
        self.buffers: dict[str, list[dict]] = {t.name: [] for t in self.TABLES}
        self.written: dict[str, int] = {t.name: 0 for t in self.TABLES}
        self.ids = {t.name: itertools.count(1) for t in self.TABLES}  # ids are given, not drawn from the database
        dialect = connection.dialect
        quote = dialect.identifier_preparer.quote
        self.plans = {}
        for table in self.TABLES:
            names = [c.name for c in table.columns]
            processors = [(i, p) for i, p in enumerate(c.type.dialect_impl(dialect).bind_processor(dialect)
                                                       for c in table.columns) if p is not None]
            columns = ", ".join(quote(n) for n in names)
            if dialect.name == "postgresql":
                statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
            elif dialect.paramstyle == "qmark":
                placeholders = ", ".join("?" * len(names))
                statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders})"  # nosec B608
            else:
                statement = None  # any other engine: SQLAlchemy Core's executemany
            self.plans[table.name] = (table, itemgetter(*names), processors, statement)

    def add(self, table: str, row: dict) -> None:
        self.add_many(table, (row,))

    def add_many(self, table: str, rows: Iterable[dict]) -> None:
        buffer = self.buffers[table]
        buffer.extend(rows)
        if len(buffer) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        for table in self.TABLES:
            buffer = self.buffers[table.name]
            if buffer:
                self._write(table.name, buffer)
                self.written[table.name] += len(buffer)
                buffer.clear()

    def _write(self, name: str, rows: list[dict]) -> None:
        table, values_of, processors, statement = self.plans[name]
        if statement is None:
            self.connection.execute(table.insert(), rows)
            return
        values = [values_of(row) for row in rows]
        if processors:
            values = [self._processed(row, processors) for row in values]
        if statement.startswith("COPY"):
            with self.connection.connection.driver_connection.cursor() as cursor:
                with cursor.copy(statement) as copy:
                    for row in values:
                        copy.write_row(row)
        else:
            self.connection.exec_driver_sql(statement, values)

    @staticmethod
    def _processed(row: tuple, processors) -> tuple:
        row = list(row)
        for i, process in processors:
            row[i] = process(row[i])
        return tuple(row)


@dataclass
class _Timeline:
    """The moments of one submission's history, drawn from the period's stream."""

    rng: random.Random
    now: datetime

    def step(self, action: str) -> datetime:
        low, high = STEP_DAYS[action]
        self.now += timedelta(days=low, seconds=self.rng.randrange(3600, 86400 * max(1, high - low)))
        return self.now


@dataclass
class _Entries:
    report: dict
    statuses: list[dict]  # one per service of the agency, in id order (without ids)


@dataclass
class _History:
    state: str
    version: int
    updated_at: datetime
    submitted_at: datetime | None
    entries: _Entries
    copies: list[tuple[datetime, _Entries]] = field(default_factory=list)


def _play(history: tuple[str, ...], entries: dict[str, _Entries], timeline: _Timeline) -> _History:
    """Replay a history step by step as workflow.py would: versions, states, copies."""
    state, version = State.draft.value, 1  # ensure_submission creates a draft at version 1
    current = None
    submitted_at = None
    copies = []
    for action in history:
        if action in WRITES and entries[action] == current:
            continue  # write_entries changes nothing, and bumps no version, when nothing differs
        at = timeline.step(action)
        version += 1
        if action in WRITES:
            current = entries[action]
        elif action == "submit":
            state, submitted_at = State.submitted.value, at
        elif action == "verify":
            state = State.verified.value
            copies.append((at, current))
        elif action == "return":
            state = State.returned.value
        elif action == "reopen":
            state = State.draft.value
    return _History(state, version, timeline.now, submitted_at, current, copies)


def _shares_to_histories(rng: random.Random, agency_ids: list[int], shares) -> dict[int, str]:
    order = list(agency_ids)
    rng.shuffle(order)
    histories: dict[int, str] = {}
    start = 0
    for (name, _share), quota in zip(shares, apportion(len(order), [s for _, s in shares])):
        for agency_id in order[start:start + quota]:
            histories[agency_id] = name
        start += quota
    return histories


def _period_histories(rng: random.Random, agencies: list[_Agency], index: int, is_open: bool) -> dict[int, str]:
    """The history of each agency's submission in a period ("none": no submission)."""
    if is_open:
        return _shares_to_histories(rng, [a.id for a in agencies if a.active], OPEN_SHARES)
    reporting = min(REPORTING_MAX, REPORTING_AT_START + REPORTING_GROWTH * index)
    shares = [("none", 1 - reporting)] + [(name, share * reporting) for name, share in CLOSED_SHARES]
    return _shares_to_histories(rng, [a.id for a in agencies], shares)


class _Synthesis:
    """Plans the registry from the seed's streams and hands its rows to the writer, period by period."""

    def __init__(self, writer: _BulkWriter, seed: int, years: list[int], say: Callable[[str], None]):
        self.writer = writer
        self.seed = seed
        self.years = years
        self.say = say
        self.started = time.monotonic()
        self.required = {level.number: set(required_evidence(level.number)) for level in LEVELS}

    def stream(self, name: str) -> random.Random:
        # string seeds are hashed with SHA-512: the same on every run and platform
        return random.Random(f"registry-synth/{self.seed}/{name}")

    def log(self, line: str) -> None:
        self.say(f"[{time.monotonic() - self.started:7.1f} s] {line}")

    def run(self, agency_count: int, service_count: int) -> dict[str, int]:
        agencies = _plan_agencies(agency_count, self.stream("agencies"))
        self.write_agencies(agencies)
        services = _plan_services(service_count, agencies, self.stream("services"))
        self.write_services(services)
        self.log(f"{len(agencies)} cơ quan, {len(services)} dịch vụ")

        level_rng = self.stream("levels")
        pace = {a.id: TIER_PACE[a.tier] * level_rng.uniform(0.75, 1.25) for a in agencies}
        self.levels = [_level_history(level_rng, pace[s.agency_id], self.years) for s in services]
        report_rng = self.stream("reports")
        self.trajectories = {a.id: AgencyTrajectory(a.kind, a.tier, report_rng) for a in agencies}
        self.services_of: dict[int, list[_Service]] = {}
        for service in services:
            self.services_of.setdefault(service.agency_id, []).append(service)
        self.urls = self.evidence_urls(services, agencies)

        latest_states: dict[str, int] = {}
        for index, year in enumerate(self.years):
            is_open = index == len(self.years) - 1
            self.writer.add(ReportingPeriod.__tablename__, {
                "year": year, "status": (PeriodStatus.open if is_open else PeriodStatus.closed).value})
            rng = self.stream(f"period/{year}")
            histories = _period_histories(rng, agencies, index, is_open)
            states = self.write_period(rng, agencies, index, year, histories)
            self.log(f"kỳ {year}: " + ", ".join(f"{n} {STATE_LABELS.get(s, 'chưa có báo cáo')}"
                                                 for s, n in states.items()))
            if is_open:
                latest_states = states
        self.writer.flush()
        return latest_states

    def write_agencies(self, agencies: list[_Agency]) -> None:
        for a in agencies:
            name_key, name_sort = name_keys(a.code, a.name, a.name_en)
            self.writer.add(Agency.__tablename__, {
                "id": a.id, "code": a.code, "name": a.name,
                "name_en": a.name_en, "tier": a.tier, "kind": a.kind, "parent_id": a.parent_id, "active": a.active,
                "name_key": name_key, "name_sort": name_sort})

    def write_services(self, services: list[_Service]) -> None:
        for s in services:
            name_key, name_sort = name_keys(s.code, s.procedure.name, s.procedure.name_en)
            self.writer.add(Service.__tablename__, {
                "id": s.id, "code": s.code, "name": s.procedure.name,
                "name_en": s.procedure.name_en, "agency_id": s.agency_id, "sector": s.procedure.sector,
                "active": s.active, "name_key": name_key, "name_sort": name_sort})

    def evidence_urls(self, services: list[_Service], agencies: list[_Agency]) -> dict[int, dict[str, str]]:
        """Each service's evidence addresses, on its province's portal."""
        province_of = {a.id: a.province for a in agencies}
        portals = {}
        for a in agencies:
            if a.tier == "province" and a.kind == "people_committee":
                slug = fold(a.name.removeprefix("Ủy ban nhân dân tỉnh ")).replace(" ", "")
                portals[a.province] = EVIDENCE_HOST.format(slug=slug)
        paths = {"info_url": "thu-tuc/{}", "form_url": "bieu-mau/{}.docx", "submission_url": "nop-ho-so/{}"}
        return {s.id: {f: f"{portals[province_of[s.agency_id]]}/{paths[f].format(s.code)}" for f in EVIDENCE_FIELDS}
                for s in services}

    def status(self, service: _Service, level: int, note: str | None) -> dict:
        urls, required = self.urls[service.id], self.required[level]
        return {"service_id": service.id, "level": level,
                **{f: (urls[f] if f in required else None) for f in EVIDENCE_FIELDS}, "note": note}

    def entries(self, rng: random.Random, agency: _Agency, index: int, year: int) -> dict[str, _Entries]:
        """The true entries of an agency for a period, a half-filled draft of them, and an
        overstated version (one level claimed too high, the documents all online)."""
        report = self.trajectories[agency.id].report(year)
        services = self.services_of.get(agency.id, [])
        statuses = [self.status(s, self.levels[s.id - 1][index], rng.choice(NOTES) if rng.random() < NOTE_SHARE
                                else None)
                    for s in services]
        overstated_statuses = list(statuses)
        below = [i for i, st in enumerate(statuses) if st["level"] < MAX_LEVEL]
        if below:
            i = rng.choice(below)
            overstated_statuses[i] = self.status(services[i], statuses[i]["level"] + 1, statuses[i]["note"])
        overstated_report = {**report, "documents_online": report["documents_total"]}
        return {"correct": _Entries(report, statuses),
                "partial": _Entries({f: (report[f] if f in PARTIAL_FIELDS else None) for f in REPORT_FIELDS},
                                    statuses),
                "overstate": _Entries(overstated_report, overstated_statuses)}

    def write_period(self, rng: random.Random, agencies: list[_Agency], index: int, year: int,
                     histories: dict[int, str]) -> dict[str, int]:
        states = {"none": 0, "draft": 0, "reopened": 0, "submitted": 0, "returned": 0, "verified": 0}
        opening = datetime(year, 12, 1, tzinfo=timezone.utc)
        for agency in agencies:
            name = histories.get(agency.id, "none")
            if name == "none":
                if agency.active:
                    states["none"] += 1
                continue
            timeline = _Timeline(rng, opening + timedelta(seconds=rng.randrange(0, 40 * 86400)))
            history = _play(HISTORIES[name], self.entries(rng, agency, index, year), timeline)
            self.write_submission(agency, year, history)
            if agency.active:
                shown = "reopened" if history.state == State.draft.value and history.copies else history.state
                states[shown] += 1
        return states

    def write_submission(self, agency: _Agency, year: int, history: _History) -> None:
        w = self.writer
        submission_id = next(w.ids[Submission.__tablename__])
        w.add(Submission.__tablename__, {
            "id": submission_id, "agency_id": agency.id, "period_year": year, "state": history.state,
            "version": history.version, "updated_at": history.updated_at, "submitted_at": history.submitted_at,
            "verified_sequence": len(history.copies) or None, **history.entries.report})
        status_ids = w.ids[ServiceStatus.__tablename__]
        w.add_many(ServiceStatus.__tablename__, [
            {"id": next(status_ids), "submission_id": submission_id, **status} for status in history.entries.statuses])
        copy_ids, copied_ids = w.ids[VerifiedCopy.__tablename__], w.ids[VerifiedServiceStatus.__tablename__]
        for sequence, (verified_at, entries) in enumerate(history.copies, start=1):
            copy_id = next(copy_ids)
            w.add(VerifiedCopy.__tablename__, {"id": copy_id, "submission_id": submission_id, "sequence": sequence,
                                               "verified_at": verified_at, "verified_by_id": None, **entries.report})
            w.add_many(VerifiedServiceStatus.__tablename__, [
                {"id": next(copied_ids), "copy_id": copy_id, **status} for status in entries.statuses])


def _restart_sequences(connection: Connection, tables: Iterable) -> None:
    """Ids were given, so PostgreSQL's sequences must be moved past them for later inserts."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c:
            # table names come from our own metadata, never from input
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # nosec B608
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


# --- the operation ----------------------------------------------------------------------

def synthesize(engine: Engine, *, services: int, agencies: int, periods: int, seed: int,
               progress: Callable[[str], None] | None = None) -> Summary:
    """Fill an empty database with a synthetic registry, in one transaction: all or nothing.

    The schema must exist (``registry init``); the shipped targets are added if missing.
    Raises Conflict when the database already holds agencies, services or periods.
    """
    check_sizes(services, agencies, periods)
    say = progress or (lambda _line: None)
    started = time.monotonic()
    years = [FIRST_YEAR + i for i in range(periods)]
    with engine.begin() as connection:
        refuse_non_empty(connection)
        with Session(bind=connection) as session:
            ensure_targets(session, SOURCE)
        writer = _BulkWriter(connection)
        synthesis = _Synthesis(writer, seed, years, say)
        latest_states = synthesis.run(agencies, services)
        _restart_sequences(connection, writer.TABLES)
        with Session(bind=connection) as session:
            target_cache.invalidate(session)  # a server already running must not keep what it counted
            audit.record(session, None, "synth.load", "registry", SOURCE, source=SOURCE,
                         after={"seed": seed, "services": services, "agencies": agencies, "periods": periods,
                                "years": [years[0], years[-1]], "rows": writer.written},
                         comment="Dữ liệu tổng hợp để đo hiệu năng, không phải dữ liệu thật")
            session.flush()
    if engine.dialect.name == "postgresql":
        # fresh statistics, as autovacuum would gather soon: benchmarks should not see a cold planner
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    synthesis.log("đã ghi xong")
    return Summary(seed, tuple(years), dict(writer.written), latest_states, round(time.monotonic() - started, 1))


def is_synthetic(session: Session) -> bool:
    """Whether the registry was made by ``synthesize`` (pages should say it is not real data)."""
    return session.exec(select(AuditEvent.id).where(AuditEvent.action == "synth.load").limit(1)).first() is not None
