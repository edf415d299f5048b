"""The Điện Biên demonstration data set (``registry demo``).

Real agency and procedure names (demo_data.py); invented figures, generated
deterministically so that every run loads the same registry: levels and
adoption that grow from 2010 to 2015, 2010–2014 verified and closed, 2015 open
with a mix of verified, submitted, returned and draft submissions. Every page
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
from registry.models import ReportingPeriod, Role, Service, State
from registry.sample import recorded
from registry.sample.demo_data import AGENCIES, COMMUNE_PROCEDURES, DISTRICT_PROCEDURES, PROVINCE_PROCEDURES, SECTORS
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
    _load_catalogue(session)
    users = _load_users(session)
    _load_figures(session, users)
    audit.record(session, SYSTEM, "demo.load", "registry", "demo", comment="Dữ liệu minh họa Điện Biên")
    session.flush()
    return True, logins()


def _agency_codes_by_tier_kind():
    district_ubnd = [a[0] for a in AGENCIES if a[3] == "district" and a[4] == "people_committee"]
    commune_ubnd = [a[0] for a in AGENCIES if a[3] == "commune" and a[4] == "people_committee"]
    return district_ubnd, commune_ubnd


def _check(result):
    if not result.ok:
        raise RuntimeError("demo data does not import: " + "; ".join(map(str, result.errors[:5])))


def _load_catalogue(session: Session) -> None:
    header = ["code", "name", "name_en", "tier", "kind", "parent_code"]
    rows = [(n, dict(zip(header, (c or "" for c in a)))) for n, a in enumerate(AGENCIES, start=2)]
    _check(import_table(session, SYSTEM, "agencies", header, rows))

    sectors = {code: name for code, name, _ in SECTORS}
    district_ubnd, commune_ubnd = _agency_codes_by_tier_kind()
    services = []
    for agency_code, procedures in PROVINCE_PROCEDURES.items():
        services += [(agency_code, p) for p in procedures]
    for agency_code in district_ubnd:
        services += [(agency_code, p) for p in DISTRICT_PROCEDURES]
    for agency_code in commune_ubnd:
        services += [(agency_code, p) for p in COMMUNE_PROCEDURES]
    header = ["code", "name", "name_en", "agency_code", "sector"]
    rows = [
        (n, dict(code=f"1.{4000 + n:06d}", name=name, name_en=name_en, agency_code=agency_code,
                 sector=sectors[sector]))
        for n, (agency_code, (name, name_en, sector)) in enumerate(services, start=2)
    ]
    _check(import_table(session, SYSTEM, "services", header, rows))


def _load_users(session: Session) -> dict:
    users = {}
    for role, email, password, agency_code in DEMO_USERS:
        users[email] = find_user(session, email) or create_user(
            session, SYSTEM, {"email": email, "password": password, "role": role, "agency_code": agency_code})
    return users


def _staff_size(kind: str, rng: random.Random) -> int:
    low, high = {"department": (35, 120), "people_committee": (25, 90), "political_org": (15, 45),
                 "school": (30, 80), "hospital": (120, 400), "health_facility": (5, 25)}.get(kind, (10, 40))
    return rng.randint(low, high)


class AgencyTrajectory:
    """How one agency's adoption grows over the years: each capability arrives in some year."""

    FLAGS = ("has_lan", "wan_connected", "broadband_internet", "official_email",
             "exchanges_online", "legal_docs_online", "specialised_database")

    def __init__(self, kind: str, tier: str, rng: random.Random):
        lag = {"province": 0, "district": 1, "commune": 3}.get(tier, 1) + (1 if kind == "health_facility" else 0)
        self.arrival = {f: rng.randint(2006, 2018) + lag - (3 if f in ("has_lan", "official_email") else 0)
                        for f in self.FLAGS}
        self.staff = _staff_size(kind, rng)
        self.growth = rng.uniform(0.08, 0.2)
        self.documents = rng.randint(300, 4000)
        self.rng = rng

    def report(self, year: int) -> dict:
        years_on = year - FIRST_YEAR
        staff = self.staff + years_on
        share = min(1.0, 0.25 + self.growth * years_on)
        report = {f: year >= arrival for f, arrival in self.arrival.items()}
        report.update(
            staff_total=staff,
            staff_with_computer=min(staff, round(staff * min(1.0, share + 0.25))),
            staff_with_email=min(staff, round(staff * share)),
            documents_total=self.documents + 50 * years_on,
            documents_online=round((self.documents + 50 * years_on) * min(1.0, share * 0.95)),
        )
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
    }
    needed = required_evidence(level)
    return {"level": level, "note": None, **{k: (v if k in needed else None) for k, v in urls.items()}}


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
    for agency in agencies:
        focal = Actor(next((u for u in users.values() if u.agency_id == agency.id), None), SOURCE)
        for year in range(FIRST_YEAR, OPEN_YEAR + 1):
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
    for period in session.exec(select(ReportingPeriod).where(ReportingPeriod.year < OPEN_YEAR)
                               .order_by(ReportingPeriod.year)).all():
        periods.close_period(session, SYSTEM, period)  # publishes it (rule 12)
    session.flush()
