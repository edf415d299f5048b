"""The targets the registry ships with: Decision 1529/QĐ-UBND (2009), §3 (SPEC §3).

Seeded by ``registry init``; an existing row (an administrator may have edited
it) is never overwritten.
"""

from sqlmodel import Session, select

from registry import audit
from registry.audit import Actor
from registry.models import Comparator, Formula, Target, Unit

# "cơ quan Nhà nước": departments and people's committees (SPEC §2)
STATE_KINDS = "department,people_committee"
STATE = f"*:{STATE_KINDS}"
# "hệ thống chính trị": the state agencies and the Party and mass organisations
POLITICAL_KINDS = "department,people_committee,political_org"
POLITICAL = f"*:{POLITICAL_KINDS}"
INIT = Actor.system("init")
SOURCE = "Quyết định 1529/QĐ-UBND ngày 25/8/2009 của UBND tỉnh Điện Biên"

GE, GT = Comparator.at_least.value, Comparator.more_than.value
PCT, COUNT = Unit.percent.value, Unit.count.value


def _t(code, title_vi, title_en, clause, unit, comparator, threshold, deadline, formula, **params):
    return dict(code=code, title_vi=title_vi, title_en=title_en, citation=f"{SOURCE}, {clause}",
                unit=unit, comparator=comparator, threshold=threshold, deadline=deadline,
                formula=formula.value, **params)


DECISION_1529_TARGETS = (
    _t("services_level1_pct",
       "95% số dịch vụ công được cung cấp trên mạng ở mức độ 1 trở lên",
       "95% of public services provided online at level 1 or above",
       "mục 3.b", PCT, GE, 95, 2015, Formula.service_level_share, min_level=1),
    _t("services_level2_pct",
       "70% số dịch vụ công được cung cấp trên mạng ở mức độ 2",
       "70% of public services provided online at level 2",
       "mục 3.b", PCT, GE, 70, 2015, Formula.service_level_share, min_level=2),
    _t("services_level3_count",
       "9 dịch vụ công được cung cấp trên mạng ở mức độ 3",
       "9 public services provided online at level 3",
       "mục 3.b", COUNT, GE, 9, 2015, Formula.service_level_count, min_level=3),
    _t("agencies_network_pct",
       "Trên 90% các cơ quan trong hệ thống chính trị có mạng LAN, kết nối mạng WAN và mạng Internet tốc độ cao",
       "More than 90% of agencies of the political system have a LAN, a WAN connection and high-speed Internet",
       "mục 3.b", PCT, GT, 90, 2015, Formula.agency_flag_share,
       flags="has_lan,wan_connected,broadband_internet", scope=POLITICAL),
    _t("documents_online_pct",
       "90% văn bản cơ quan cấp huyện/thị và UBND tỉnh được quản lý và điều hành trên môi trường mạng",
       "90% of documents of district-level agencies and the Provincial People's Committee "
       "managed and handled on the network",
       "mục 3.b", PCT, GE, 90, 2015, Formula.report_sum_ratio,
       numerator_field="documents_online", denominator_field="documents_total",
       scope=f"district:{STATE_KINDS};province:people_committee"),
    _t("agencies_legal_docs_pct",
       "Trên 90% đơn vị tra cứu, khai thác, cập nhật được các văn bản Quy phạm pháp luật qua mạng",
       "More than 90% of agencies look up and update legal normative documents online",
       "mục 3.b", PCT, GT, 90, 2015, Formula.agency_flag_share, flags="legal_docs_online", scope=STATE),
    _t("agencies_exchange_pct",
       "90% các cơ quan đơn vị thực hiện thành thạo việc trao đổi thông tin qua mạng với "
       "Trung tâm tích hợp dữ liệu của tỉnh",
       "90% of agencies exchange information over the network with the provincial data-integration centre",
       "mục 3.b", PCT, GE, 90, 2015, Formula.agency_flag_share, flags="exchanges_online", scope=STATE),
    _t("staff_email_pct",
       "80% cán bộ công chức có hộp thư điện tử",
       "80% of civil servants have an e-mail box",
       "mục 3.b", PCT, GE, 80, 2015, Formula.report_sum_ratio,
       numerator_field="staff_with_email", denominator_field="staff_total", scope=POLITICAL),
    _t("agencies_email_pct",
       "100% các cơ quan có hộp thư điện tử để trao đổi thông tin qua mạng Internet",
       "100% of agencies have an e-mail box",
       "mục 3.b", PCT, GE, 100, 2015, Formula.agency_flag_share, flags="official_email", scope=STATE),
    _t("agencies_database_pct",
       "100% các cơ quan có hệ thống cơ sở dữ liệu quản lý chuyên ngành",
       "100% of agencies run a specialised management database",
       "mục 3.b", PCT, GE, 100, 2015, Formula.agency_flag_share, flags="specialised_database",
       scope="province:department"),
    _t("broadband_district_up_pct",
       "Internet băng thông rộng (ADSL) phủ tới 100% các cơ quan từ cấp huyện trở lên",
       "Broadband Internet reaches 100% of agencies at district level and above",
       "mục 3.b", PCT, GE, 100, 2015, Formula.agency_flag_share, flags="broadband_internet",
       scope=f"province:{POLITICAL_KINDS};district:{POLITICAL_KINDS}"),
    _t("schools_network_pct",
       "50% trường từ tiểu học trở lên có mạng LAN và kết nối Internet",
       "50% of schools from primary level up have a LAN and an Internet connection",
       "mục 3.b", PCT, GE, 50, 2015, Formula.agency_flag_share, flags="has_lan,internet_connected",
       scope="*:school"),
    _t("hospitals_network_pct",
       "100% bệnh viện tỉnh, huyện có mạng LAN và kết nối Internet",
       "100% of provincial and district hospitals have a LAN and an Internet connection",
       "mục 3.b", PCT, GE, 100, 2015, Formula.agency_flag_share, flags="has_lan,internet_connected",
       scope="province:hospital;district:hospital"),
    _t("health_facilities_network_pct",
       "20% các cơ sở y tế có mạng LAN và kết nối Internet",
       "20% of health facilities have a LAN and an Internet connection",
       "mục 3.b", PCT, GE, 20, 2015, Formula.agency_flag_share, flags="has_lan,internet_connected",
       scope="*:health_facility"),
    _t("commune_staff_computer_pct",
       "100% cán bộ, công chức cấp xã, phường, thị trấn được đầu tư máy tính",
       "100% of commune-level civil servants are equipped with a computer",
       "mục 3.c", PCT, GE, 100, 2020, Formula.report_sum_ratio,
       numerator_field="staff_with_computer", denominator_field="staff_total",
       scope=f"commune:{POLITICAL_KINDS}"),
    # The second half of "100% các cơ quan, cán bộ công chức làm việc trên máy tính đều có
    # hộp thư điện tử" (SPEC §3): last, so that the first fifteen keep their positions.
    _t("computer_staff_email_pct",
       "100% cán bộ công chức làm việc trên máy tính đều có hộp thư điện tử",
       "100% of civil servants who work on a computer have an e-mail box",
       "mục 3.b", PCT, GE, 100, 2015, Formula.report_sum_ratio,
       numerator_field="computer_staff_with_email", denominator_field="staff_with_computer", scope=STATE),
)


def ensure_targets(session: Session, actor: Actor = INIT) -> int:
    """Insert the shipped targets that are missing. Returns how many were added."""
    return ensure_rows(session, actor, Target, "target", DECISION_1529_TARGETS)


def ensure_rows(session: Session, actor: Actor, model, entity: str, shipped) -> int:
    """Insert the ``shipped`` rows of ``model`` (dicts with a ``code``) that are missing, in their
    order, each audited as ``<entity>.create``; an existing row is never overwritten. Returns
    how many were added."""
    existing = set(session.exec(select(model.code)))
    added = 0
    for position, values in enumerate(shipped, start=1):
        if values["code"] in existing:
            continue
        session.add(model(position=position, **values))
        audit.record(session, actor, f"{entity}.create", entity, values["code"], after=values)
        added += 1
    session.flush()
    return added
