"""The indicators the registry ships with: the targets of Decision 1529/QĐ-UBND (2009)
that agencies do not report (SPEC §3b). Seeded by ``registry init``; an existing row is
never overwritten."""

from sqlmodel import Session, select

from registry.audit import Actor
from registry.models import Indicator
from registry.targets.seed import ensure_rows

SOURCE = "Quyết định 1529/QĐ-UBND ngày 25/8/2009 của UBND tỉnh Điện Biên"
INIT = Actor.system("init")
PCT, COUNT = "percent", "count"
POST, TELECOM, IT_2015, IT_2020 = "mục 1 (Bưu chính)", "mục 2 (Viễn thông)", "mục 3.b", "mục 3.c"


def _i(code, title_vi, title_en, clause, unit, comparator, threshold, deadline):
    return dict(code=code, title_vi=title_vi, title_en=title_en, citation=f"{SOURCE}, {clause}", unit=unit,
                comparator=comparator, threshold=threshold, deadline=deadline)


DECISION_1529_INDICATORS = (
    _i("post_people_per_point", "Mức độ phục vụ bình quân dưới 2.000 người/1 điểm phục vụ bưu chính",
       "Under 2,000 people per postal service point on average", POST, "people_per_point", "<", "2000", 2015),
    _i("post_radius_km", "Bán kính phục vụ bình quân dưới 3,5 km/1 điểm phục vụ bưu chính",
       "Average service radius under 3.5 km per postal service point", POST, "km", "<", "3.5", 2015),
    _i("fibre_commune_centres_pct", "Cáp quang đến 100% trung tâm xã, cụm xã",
       "Optical fibre to 100% of commune centres and commune clusters", TELECOM, PCT, ">=", "100", 2015),
    _i("underground_city_pct", "Ngầm hóa 100% hạ tầng mạng ngoại vi tại thành phố Điện Biên Phủ",
       "100% of the outside network plant in Điện Biên Phủ city underground", TELECOM, PCT, ">=", "100", 2015),
    _i("underground_province_pct", "Ngầm hóa 20% hạ tầng mạng ngoại vi trên địa bàn toàn tỉnh",
       "20% of the outside network plant in the province underground", TELECOM, PCT, ">=", "20", 2011),
    _i("mobile_coverage_communes_pct", "100% số xã, phường có sóng di động",
       "Mobile coverage in 100% of communes and wards", TELECOM, PCT, ">=", "100", 2010),
    _i("households_phone_pct", "100% hộ gia đình có máy điện thoại",
       "A telephone in 100% of households", TELECOM, PCT, ">=", "100", 2015),
    _i("population_internet_pct", "50% dân số sử dụng dịch vụ Internet",
       "50% of the population using the Internet", TELECOM, PCT, ">=", "50", 2015),
    _i("key_databases_count", "Xây dựng và khai thác có hiệu quả trên 14 hệ thống cơ sở dữ liệu trọng điểm",
       "More than 14 key database systems built and used effectively", IT_2015, COUNT, ">", "14", 2015),
    _i("enterprises_computer_pct",
       "Trên 70% doanh nghiệp đầu tư máy tính, ứng dụng soạn thảo văn bản, quản lý tài chính và nhân sự",
       "Over 70% of enterprises invest in computers for documents, finance and personnel", IT_2015, PCT, ">",
       "70", 2015),
    _i("enterprises_internet_pct", "Trên 70% doanh nghiệp kết nối Internet",
       "Over 70% of enterprises connected to the Internet", IT_2015, PCT, ">", "70", 2015),
    _i("enterprises_website_pct", "Trên 35% doanh nghiệp có Website",
       "Over 35% of enterprises have a website", IT_2015, PCT, ">", "35", 2015),
    _i("enterprises_ecommerce_pct", "Khoảng 20% doanh nghiệp tham gia giao dịch thương mại điện tử",
       "About 20% of enterprises trade electronically", IT_2015, PCT, ">=", "20", 2015),
    _i("it_enterprises_count", "Từ 3 đến 6 doanh nghiệp công nghệ thông tin mạnh",
       "3 to 6 strong information-technology enterprises", IT_2015, COUNT, ">=", "3", 2015),
    _i("enterprises_internet_2020_pct", "100% doanh nghiệp sử dụng Internet",
       "100% of enterprises use the Internet", IT_2020, PCT, ">=", "100", 2020),
    _i("enterprises_ecommerce_2020_pct", "60% doanh nghiệp tham gia thương mại điện tử",
       "60% of enterprises trade electronically", IT_2020, PCT, ">=", "60", 2020),
    _i("households_internet_access_pct", "50% các hộ gia đình có các phương tiện để truy cập Internet",
       "50% of households have the means to access the Internet", IT_2020, PCT, ">=", "50", 2020),
    _i("portal_connected_agencies_pct", "Cổng điện tử của Tỉnh kết nối với tất cả cơ quan đơn vị trong tỉnh",
       "The province's portal connected to every agency in the province", IT_2020, PCT, ">=", "100", 2020),
)


def ensure_indicators(session: Session, actor: Actor = INIT) -> int:
    """Insert the shipped indicators that are missing. Returns how many were added."""
    return ensure_rows(session, actor, Indicator, "indicator", DECISION_1529_INDICATORS)


def all_indicators(session: Session) -> list[Indicator]:
    return list(session.exec(select(Indicator).order_by(Indicator.position, Indicator.code)))
