"""The Điện Biên demonstration data set (``registry demo``).

Real agency and procedure names (demo_data.py); invented figures, generated
deterministically so that every run loads the same registry: levels and
adoption that grow from 2010 to 2015, 2010–2014 verified and closed, 2015 open
with a mix of verified, submitted, returned and draft submissions. Staff and
documents are in the ranges real units have; some communes and district units
send nothing in some years (in 2015: the late agencies), and Nậm Pồ district and
its units exist from 2012. Every page
that shows it says it is demonstration data.
"""

import random

from sqlmodel import Session, select

from registry import audit
from registry.accounts.users import create_user, find_user
from registry.audit import Actor
from registry.catalogue.levels import required_evidence
from registry.core.errors import N_, Conflict
from registry.dataio.importing import import_table
from registry.indicators.definitions import ensure_indicators
from registry.mail import outbox
from registry.models import ReportingPeriod, Role, Service, State
from registry.sample import recorded
from registry.sample.demo_data import (
    AGENCIES,
    COMMUNE_PROCEDURES,
    DISTRICT_PROCEDURES,
    ESTABLISHED,
    PROVINCE_PROCEDURES,
    SECTORS,
)
from registry.submissions import periods, workflow
from registry.targets.seed import ensure_targets

FIRST_YEAR, OPEN_YEAR = 2010, 2015
EVIDENCE_HOST = "https://dichvucong.dienbien.example"
SOURCE = "demo"
SYSTEM = Actor.system(SOURCE)

# (role, e-mail, password, agency code): printed by `make run`; demonstration only.
DEMO_USERS = (
    ("admin", "quantri@demo.dienbien.example", "QuanTri-Demo-1529", None),
    ("auditor", "kiemtra@demo.dienbien.example", "KiemTra-Demo-1529", None),
    ("focal", "dau-moi.so-tttt@demo.dienbien.example", "DauMoi-Demo-1529", "so-tttt"),
    ("focal", "dau-moi.tuan-giao@demo.dienbien.example", "DauMoi-Demo-1529", "ubnd-huyen-tuan-giao"),
)


def logins() -> list[tuple[str, str, str]]:
    return [(role, email, password) for role, email, password, _ in DEMO_USERS]


def load(session: Session) -> tuple[bool, list[tuple[str, str, str]]]:
    """Load the data set unless it is there already. Flushes, never commits."""
    if recorded(session, "synth.load"):
        raise Conflict(N_("Cơ sở dữ liệu đang chứa dữ liệu tổng hợp (registry synth); "
                          "không nạp thêm dữ liệu minh họa vào đó."))
    if recorded(session, "demo.load"):
        return False, logins()
    ensure_targets(session, SYSTEM)
    ensure_indicators(session, SYSTEM)
    _load_catalogue(session)
    users = _load_users(session)
    with outbox.silenced(session):  # made-up history sends no mail (SPEC §8.13)
        _load_figures(session, users)
    audit.record(session, SYSTEM, "demo.load", "registry", "demo", comment="Dữ liệu minh họa Điện Biên")
    session.flush()
    return True, logins()


def _agency_codes_by_tier_kind():
    district_ubnd = [a[0] for a in demo_agencies() if a[3] == "district" and a[4] == "people_committee"]
    commune_ubnd = [a[0] for a in demo_agencies() if a[3] == "commune" and a[4] == "people_committee"]
    return district_ubnd, commune_ubnd


def _check(result):
    if not result.ok:
        raise RuntimeError("demo data does not import: " + "; ".join(map(str, result.errors[:5])))


# The province's people's committee is represented by its office (SPEC §2): one
# agency, never both. demo_data keeps both rows (the synthesiser reads them);
# the demonstration set loads the office as the committee, parent of the rest.
PROVINCE_COMMITTEE, PROVINCE_OFFICE = "ubnd-tinh", "vp-ubnd-tinh"


def demo_agencies() -> list[tuple]:
    """AGENCIES as the demonstration set loads them: the office stands for the committee, and
    each agency carries the first year it exists (``valid_from``: ESTABLISHED, its own or the
    nearest of the units above it; None when it existed throughout)."""
    rows, since = [], {}
    for code, name, name_en, tier, kind, parent in AGENCIES:  # a parent always comes before its children
        since[code] = ESTABLISHED.get(code, since.get(parent))
        if code == PROVINCE_COMMITTEE:
            continue
        if code == PROVINCE_OFFICE:
            kind, parent = "people_committee", None
        rows.append((code, name, name_en, tier, kind, PROVINCE_OFFICE if parent == PROVINCE_COMMITTEE else parent,
                     since[code]))
    return rows


def _load_catalogue(session: Session) -> None:
    header = ["code", "name", "name_en", "tier", "kind", "parent_code", "valid_from"]
    rows = [(n, dict(zip(header, (c or "" for c in a)))) for n, a in enumerate(demo_agencies(), start=2)]
    _check(import_table(session, SYSTEM, "agencies", header, rows))

    sectors = {code: name for code, name, _ in SECTORS}
    district_ubnd, commune_ubnd = _agency_codes_by_tier_kind()
    services = []
    for agency_code, procedures in PROVINCE_PROCEDURES.items():
        services += [(agency_code, p) for p in procedures]
    # a district or commune procedure has one code however many committees carry it out
    # (made up: "2.…" for the districts', "3.…" for the communes'); each offering its own code
    procedures = {}
    for agency_code in district_ubnd:
        services += [(agency_code, p) for p in DISTRICT_PROCEDURES]
        procedures.update({(agency_code, p): f"2.{i:06d}" for i, p in enumerate(DISTRICT_PROCEDURES, start=1)})
    for agency_code in commune_ubnd:
        services += [(agency_code, p) for p in COMMUNE_PROCEDURES]
        procedures.update({(agency_code, p): f"3.{i:06d}" for i, p in enumerate(COMMUNE_PROCEDURES, start=1)})
    header = ["code", "name", "name_en", "agency_code", "sector", "procedure_code"]
    rows = [
        (n, dict(code=f"1.{4000 + n:06d}", name=name, name_en=name_en, agency_code=agency_code,
                 sector=sectors[sector],
                 procedure_code=procedures.get((agency_code, (name, name_en, sector)), f"1.{4000 + n:06d}")))
        for n, (agency_code, (name, name_en, sector)) in enumerate(services, start=2)
    ]
    _check(import_table(session, SYSTEM, "services", header, rows))


def _load_users(session: Session) -> dict:
    users = {}
    for role, email, password, agency_code in DEMO_USERS:
        users[email] = find_user(session, email) or create_user(
            session, SYSTEM, {"email": email, "password": password, "role": role, "agency_code": agency_code})
    return users


# Staff (cán bộ, công chức, viên chức) and documents issued in a year, by tier and kind:
# ranges of the size a real unit has. A commune's people's committee has the 18–23 cán bộ,
# công chức that Decree 92/2009/NĐ-CP allows by the commune's class; a commune health
# station four to seven staff and a few dozen documents a year.
STAFF = {("commune", "people_committee"): (18, 23), ("commune", "health_facility"): (4, 7),
         ("commune", "school"): (25, 60), ("district", "people_committee"): (45, 110),
         ("district", "health_facility"): (30, 90), ("district", "hospital"): (80, 250),
         ("province", "people_committee"): (60, 120)}
STAFF_BY_KIND = {"department": (35, 120), "political_org": (15, 45), "school": (30, 80), "hospital": (120, 400)}
DOCUMENTS = {("commune", "people_committee"): (250, 700), ("commune", "health_facility"): (20, 90),
             ("commune", "school"): (60, 200), ("district", "people_committee"): (1500, 4000),
             ("district", "health_facility"): (200, 700), ("district", "hospital"): (400, 1500),
             ("province", "people_committee"): (3000, 6000)}
DOCUMENTS_BY_KIND = {"department": (1200, 4000), "political_org": (200, 900), "school": (100, 400),
                     "hospital": (500, 2000)}


def _drawn(table: dict, by_kind: dict, tier: str, kind: str, rng: random.Random) -> int:
    low, high = table.get((tier, kind)) or by_kind.get(kind, (10, 40))
    return rng.randint(low, high)


# Made-up province-wide indicator values (SPEC §3b): (code, year, value or (numerator,
# denominator), source, verified). Entered by the demo auditor, verified by the demo
# administrator (four eyes); the open year's are still waiting for verification.
DEMO_INDICATORS = (
    ("post_people_per_point", 2010, "2650", "Bưu điện tỉnh Điện Biên, báo cáo năm 2010", True),
    ("post_people_per_point", 2012, "2380", "Bưu điện tỉnh Điện Biên, báo cáo năm 2012", True),
    ("post_people_per_point", 2014, "2140", "Bưu điện tỉnh Điện Biên, báo cáo năm 2014", True),
    ("post_people_per_point", 2015, "1980", "Bưu điện tỉnh Điện Biên, báo cáo năm 2015", False),
    ("post_radius_km", 2012, "4,1", "Bưu điện tỉnh Điện Biên, báo cáo năm 2012", True),
    ("post_radius_km", 2014, "3,8", "Bưu điện tỉnh Điện Biên, báo cáo năm 2014", True),
    ("mobile_coverage_communes_pct", 2010, ("118", "130"), "Báo cáo của các doanh nghiệp viễn thông năm 2010", True),
    ("population_internet_pct", 2012, "18,5", "Niên giám thống kê tỉnh Điện Biên 2012", True),
    ("population_internet_pct", 2014, "27,3", "Niên giám thống kê tỉnh Điện Biên 2014", True),
    ("population_internet_pct", 2015, "31", "Niên giám thống kê tỉnh Điện Biên 2015 (sơ bộ)", False),
    ("enterprises_website_pct", 2014, ("96", "720"), "Điều tra doanh nghiệp năm 2014, Cục Thống kê tỉnh", True),
    ("key_databases_count", 2014, "6", "Báo cáo ứng dụng CNTT năm 2014 của Sở", True),
)


def _load_indicators(session: Session, users: dict) -> None:
    from registry.indicators import values

    role_of = {role: users[email] for role, email, _, _ in DEMO_USERS if role != "focal"}
    auditor, admin = Actor(role_of["auditor"], SOURCE), Actor(role_of["admin"], SOURCE)
    for code, year, value, source, verified in DEMO_INDICATORS:
        numerator, denominator = value if isinstance(value, tuple) else (None, None)
        evidence = f"https://demo.dienbien.example/minh-chung/{code}-{year}.pdf"
        values.enter(session, auditor, code, year, values.Entry(
            None if numerator else value, numerator, denominator, f"{source} (số liệu minh họa)", evidence))
        if verified:
            values.verify(session, admin, code, year)


class AgencyTrajectory:
    """How one agency's adoption grows over the years: each capability arrives in some year."""

    FLAGS = ("has_lan", "wan_connected", "broadband_internet", "official_email",
             "exchanges_online", "legal_docs_online", "specialised_database")

    def __init__(self, kind: str, tier: str, rng: random.Random):
        lag = {"province": 0, "district": 1, "commune": 3}.get(tier, 1) + (1 if kind == "health_facility" else 0)
        self.arrival = {f: rng.randint(2006, 2018) + lag - (3 if f in ("has_lan", "official_email") else 0)
                        for f in self.FLAGS}
        self.staff = _drawn(STAFF, STAFF_BY_KIND, tier, kind, rng)
        # a commune's staff is fixed by law; the others take on about one person a year
        self.hiring = 0 if tier == "commune" else 1
        self.growth = rng.uniform(0.08, 0.2)
        self.documents = _drawn(DOCUMENTS, DOCUMENTS_BY_KIND, tier, kind, rng)
        self.rng = rng

    def report(self, year: int) -> dict:
        years_on = year - FIRST_YEAR
        staff = self.staff + self.hiring * years_on
        share = min(1.0, 0.25 + self.growth * years_on)
        documents = round(self.documents * (1 + 0.03 * years_on))
        report = {f: year >= arrival for f, arrival in self.arrival.items()}
        report.update(
            staff_total=staff,
            staff_with_computer=min(staff, round(staff * min(1.0, share + 0.25))),
            staff_with_email=min(staff, round(staff * share)),
            documents_total=documents,
            documents_online=round(documents * min(1.0, share * 0.95)),
        )
        # drawn from the figures above, so that the random draws (and every other figure) stay as they were
        report["internet_connected"] = report["broadband_internet"] or report["has_lan"]
        report["computer_staff_with_email"] = min(report["staff_with_computer"], report["staff_with_email"])
        return report


def _service_levels(rng: random.Random) -> dict[int, int]:
    """The level of one service in each year: never going down."""
    level, levels = 0, {}
    for year in range(FIRST_YEAR, OPEN_YEAR + 1):
        if level < 3 and rng.random() < (0.45 if level == 0 else 0.3 if level == 1 else 0.025):
            level += 1
        levels[year] = level
    return levels


def _status(service: Service, level: int) -> dict:
    urls = {
        "info_url": f"{EVIDENCE_HOST}/thu-tuc/{service.code}",
        "form_url": f"{EVIDENCE_HOST}/bieu-mau/{service.code}.docx",
        "submission_url": f"{EVIDENCE_HOST}/nop-ho-so/{service.code}",
        "payment_url": f"{EVIDENCE_HOST}/thanh-toan/{service.code}",
    }
    needed = required_evidence(level)
    return {"level": level, "note": None, **{k: (v if k in needed else None) for k, v in urls.items()}}


# How likely a unit below the province is to send nothing for a year: communes most, and
# less as the years go by; in the open year they are the late agencies the season chases.
SILENCE = {"commune": (0.22, 0.03), "district": (0.10, 0.015)}  # tier: (chance in the first year, less a year)


def _silent_years(agencies, users: dict) -> set[tuple[int, int]]:
    """The (agency id, year) pairs with no report at all. Drawn apart from the figures, so
    that the other figures do not move with it; never the demonstration logins' agencies."""
    rng = random.Random("1529-silence")
    with_login = {u.agency_id for u in users.values()}
    silent = set()
    for agency in agencies:
        first, fall = SILENCE.get(agency.tier, (0.0, 0.0))
        for year in range(FIRST_YEAR, OPEN_YEAR + 1):
            if rng.random() < first - fall * (year - FIRST_YEAR) and agency.id not in with_login:
                silent.add((agency.id, year))
    return silent


def _load_figures(session: Session, users: dict) -> None:
    rng = random.Random(1529)
    auditor = Actor(next(u for u in users.values() if u.role == Role.auditor.value), SOURCE)
    from registry.models import Agency

    agencies = session.exec(select(Agency).order_by(Agency.code)).all()
    services_of = {}
    for service in session.exec(select(Service).order_by(Service.code)):
        services_of.setdefault(service.agency_id, []).append(service)
    levels = {s.id: _service_levels(rng) for group in services_of.values() for s in group}

    open_states = {}
    for agency in agencies:
        roll = rng.random()
        open_states[agency.id] = (State.verified if roll < 0.55 else State.submitted if roll < 0.75
                                  else State.returned if roll < 0.82 else State.draft)

    for year in range(FIRST_YEAR, OPEN_YEAR + 1):
        periods.ensure_period(session, year, SYSTEM)
    trajectories = {a.id: AgencyTrajectory(a.kind, a.tier, rng) for a in agencies}
    silent = _silent_years(agencies, users)
    for agency in agencies:
        focal = Actor(next((u for u in users.values() if u.agency_id == agency.id), None), SOURCE)
        for year in range(max(FIRST_YEAR, agency.valid_from or FIRST_YEAR), OPEN_YEAR + 1):
            if (agency.id, year) in silent:
                continue
            target = open_states[agency.id] if year == OPEN_YEAR else State.verified
            submission = workflow.ensure_submission(session, agency, year, focal)
            report = trajectories[agency.id].report(year)
            if target == State.draft:
                # a draft half-way through: the network figures are in, the rest is not yet
                report = {k: v for k, v in report.items() if k in ("has_lan", "wan_connected", "staff_total")}
            statuses = {s.id: _status(s, levels[s.id][year]) for s in services_of.get(agency.id, [])}
            workflow.write_entries(session, submission, focal, report, statuses)
            if target == State.draft:
                continue
            workflow.submit(session, submission, focal)
            if target == State.verified:
                workflow.verify(session, submission, auditor)
            elif target == State.returned:
                workflow.return_(session, submission, auditor,
                                 "Minh chứng mức độ 2 chưa mở được; đề nghị kiểm tra lại đường dẫn biểu mẫu.")
    _load_indicators(session, users)
    for period in session.exec(select(ReportingPeriod).where(ReportingPeriod.year < OPEN_YEAR)
                               .order_by(ReportingPeriod.year)).all():
        periods.close_period(session, SYSTEM, period)  # publishes it (rule 12)
    session.flush()
