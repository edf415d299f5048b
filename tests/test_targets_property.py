"""The target engine agrees with the plain-Python reference on random registries
(0–10 agencies, 0–15 services, every submission history, validity in time around
the period under test: records valid only before or after it, switched-off ones
whose ``valid_to`` still covers it, services valid while their agency is not).

Each example starts from an empty registry (every data table but ``target`` is
emptied, children first, which works the same on SQLite and PostgreSQL) and
builds agencies, services and submission histories through registry.submissions.workflow.
"""

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, delete, select

from registry.audit import Actor
from registry.models import (
    COUNT_BOUNDS,
    REPORT_FLAGS,
    Agency,
    Kind,
    Service,
    Target,
    Tier,
)
from registry.submissions import workflow
from registry.targets.basis import BASES
from registry.targets.engine import compute_targets
from registry.targets.seed import DECISION_1529_TARGETS
from tests.factories import TEST_ACTOR, status

from .reference_targets import reference_offerings, reference_targets

YEAR = 2015
# Each registry is compared in YEAR and in YEAR - 1 (where only the "earlier_year"
# submissions count): a validity bound between them counts in one and not the other.
PERIODS = (YEAR, YEAR - 1)
SHIPPED = {t["code"] for t in DECISION_1529_TARGETS}
TIERS = [t.value for t in Tier]
KINDS = [k.value for k in Kind]
SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# How an agency's submission for YEAR got where it is.
HISTORIES = (
    "none",          # no submission
    "draft",         # a (possibly partial) draft
    "submitted",
    "returned",      # submitted, returned
    "verified",
    "reopened",      # verified A, reopened, edited to B (a draft)
    "resubmitted",   # verified A, reopened, edited to B, submitted
    "rereturned",    # verified A, reopened, edited to B, submitted, returned
    "reverified",    # verified A, reopened, edited to B, verified
    "imported",      # a partial report made verified by the administrator's import path
    "imported_submitted",  # a partial report made submitted by the import path
)


# --- strategies ----------------------------------------------------------------------

@st.composite
def full_reports(draw) -> dict:
    values = {f: draw(st.booleans()) for f in REPORT_FLAGS}
    for whole in ("staff_total", "documents_total"):
        values[whole] = draw(st.integers(0, 25))
    for part in dict.fromkeys(part for part, _ in COUNT_BOUNDS):  # a part of two wholes is within both
        values[part] = draw(st.integers(0, min(values[w] for p, w in COUNT_BOUNDS if p == part)))
    if values["broadband_internet"]:
        values["internet_connected"] = True  # broadband is an Internet connection
    return values


@st.composite
def partial_reports(draw) -> dict:
    values = draw(full_reports())
    return {f: (None if draw(st.booleans()) else v) for f, v in values.items()}


levels = st.one_of(st.none(), st.integers(0, 4))  # None: no status row

# Validity (SPEC §2, rule 2) as (active, valid_from, valid_to): half of the records
# are plain (active, no bounds); the others take bounds around YEAR - 1 and YEAR, so
# that some exist only before or only after a period, and some are switched off
# (active False) with a valid_to that still covers it. valid_from ≤ valid_to.
BOUNDS = [None, YEAR - 2, YEAR - 1, YEAR, YEAR + 1]
validities = st.one_of(
    st.just((True, None, None)),
    st.tuples(st.booleans(), st.sampled_from(BOUNDS), st.sampled_from(BOUNDS))
    .filter(lambda v: v[1] is None or v[2] is None or v[1] <= v[2]),
)


@dataclass
class History:
    kind: str
    report_a: dict
    report_b: dict
    levels_a: list  # per service of the agency: level or None
    levels_b: list
    earlier_year: bool  # also a verified submission for YEAR - 1


@dataclass
class Registry:
    agencies: list = field(default_factory=list)  # (tier, kind, (active, valid_from, valid_to))
    services: list = field(default_factory=list)  # (agency index, (active, valid_from, valid_to))
    histories: list = field(default_factory=list)
    # per service: the procedure it is an offering of (an index into a few shared
    # procedures), or None for a service that is its own procedure
    procedures: list = field(default_factory=list)


@st.composite
def registries(draw) -> Registry:
    reg = Registry()
    reg.agencies = draw(st.lists(
        st.tuples(st.sampled_from(TIERS), st.sampled_from(KINDS), validities), max_size=10))
    if reg.agencies:
        reg.services = draw(st.lists(
            st.tuples(st.integers(0, len(reg.agencies) - 1), validities), max_size=15))
    reg.procedures = draw(st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=len(reg.services),
                                   max_size=len(reg.services)))
    for index in range(len(reg.agencies)):
        owned = sum(1 for a, _ in reg.services if a == index)
        kind = draw(st.sampled_from(HISTORIES))
        reg.histories.append(History(
            kind=kind,
            report_a=draw(partial_reports() if kind in ("draft", "imported", "imported_submitted")
                          else full_reports()),
            report_b=draw(full_reports()),
            levels_a=draw(st.lists(levels, min_size=owned, max_size=owned)),
            levels_b=draw(st.lists(levels, min_size=owned, max_size=owned)),
            earlier_year=draw(st.booleans()),
        ))
    return reg


@st.composite
def scopes(draw) -> str:
    clauses = []
    for _ in range(draw(st.integers(1, 2))):
        tier = draw(st.sampled_from(["*", *TIERS]))
        kinds = draw(st.one_of(st.just("*"), st.lists(st.sampled_from(KINDS), min_size=1, max_size=3, unique=True)
                               .map(",".join)))
        clauses.append(f"{tier}:{kinds}")
    return ";".join(clauses)


@st.composite
def custom_targets(draw, index: int) -> dict:
    formula = draw(st.sampled_from(["service_level_share", "service_level_count", "agency_flag_share",
                                    "report_sum_ratio"]))
    values = dict(
        code=f"{draw(st.sampled_from(['aa', 'mm', 'zz']))}_custom_{index}",
        title_vi="Chỉ tiêu thử", title_en="Test target", citation="test", deadline=2015, formula=formula,
        comparator=draw(st.sampled_from([">=", ">"])), position=draw(st.integers(0, 16)),
        unit="count" if formula == "service_level_count" else "percent",
        # thresholds that small registries can hit exactly, so that ">=" and ">" are told apart
        threshold=draw(st.integers(0, 4) if formula == "service_level_count"
                       else st.one_of(st.sampled_from([0, 0, 50, 100, 100]),
                                      st.sampled_from([20, 25, 40, 60, 75, 80]), st.integers(0, 100))),
    )
    if formula.startswith("service_"):
        values["min_level"] = draw(st.integers(0, 4))
    elif formula == "agency_flag_share":
        values["flags"] = ",".join(draw(st.lists(st.sampled_from(REPORT_FLAGS), min_size=1, max_size=3,
                                                 unique=True)))
        values["scope"] = draw(scopes())
    else:
        part, whole = draw(st.sampled_from(COUNT_BOUNDS + (("staff_total", "documents_total"),)))
        values.update(numerator_field=part, denominator_field=whole, scope=draw(scopes()))
    return values


# --- building ------------------------------------------------------------------------

def empty_registry(db) -> None:
    """Delete every data row (children first), keeping the shipped targets."""
    db.rollback()
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table.name != Target.__tablename__:
            db.execute(table.delete())
    db.execute(delete(Target).where(Target.code.not_in(sorted(SHIPPED))))
    db.commit()
    db.expunge_all()


def _statuses(services, levels_list) -> dict:
    return {s.id: status(lv, s.code) for s, lv in zip(services, levels_list) if lv is not None}


def build(db, reg: Registry) -> None:
    agencies = []
    for i, (tier, kind, (active, valid_from, valid_to)) in enumerate(reg.agencies):
        agency = Agency(code=f"a{i}", name=f"Cơ quan {i}", tier=tier, kind=kind, active=active,
                        valid_from=valid_from, valid_to=valid_to)
        db.add(agency)
        agencies.append(agency)
    db.flush()
    owned: dict[int, list] = {i: [] for i in range(len(agencies))}
    for j, (index, (active, valid_from, valid_to)) in enumerate(reg.services):
        procedure = reg.procedures[j] if j < len(reg.procedures) else None
        service = Service(code=f"s{j}", name=f"Thủ tục {j}", agency_id=agencies[index].id, sector="Hộ tịch",
                          active=active, valid_from=valid_from, valid_to=valid_to,
                          procedure_code=f"p{procedure}" if procedure is not None else "")
        db.add(service)
        owned[index].append(service)
    db.flush()

    for i, (agency, history) in enumerate(zip(agencies, reg.histories)):
        services = owned[i]
        if history.earlier_year:
            earlier = workflow.ensure_submission(db, agency, YEAR - 1, TEST_ACTOR)
            workflow.write_entries(db, earlier, TEST_ACTOR, report=history.report_b,
                                   services=_statuses(services, history.levels_b))
            workflow.submit(db, earlier, TEST_ACTOR)
            workflow.verify(db, earlier, TEST_ACTOR)
        kind = history.kind
        if kind == "none":
            continue
        submission = workflow.ensure_submission(db, agency, YEAR, TEST_ACTOR)
        workflow.write_entries(db, submission, TEST_ACTOR, report=history.report_a,
                               services=_statuses(services, history.levels_a))
        if kind in ("imported", "imported_submitted"):
            target = "verified" if kind == "imported" else "submitted"
            workflow.force_state(db, submission, Actor.system("property-test"), target)
            continue
        if kind == "draft":
            continue
        workflow.submit(db, submission, TEST_ACTOR)
        if kind == "submitted":
            continue
        if kind == "returned":
            workflow.return_(db, submission, TEST_ACTOR, "Thiếu minh chứng")
            continue
        workflow.verify(db, submission, TEST_ACTOR)
        if kind == "verified":
            continue
        workflow.reopen(db, submission, TEST_ACTOR, "Sửa số liệu")
        workflow.write_entries(db, submission, TEST_ACTOR, report=history.report_b,
                               services=_statuses(services, history.levels_b))
        if kind == "reopened":
            continue
        workflow.submit(db, submission, TEST_ACTOR)
        if kind == "rereturned":
            workflow.return_(db, submission, TEST_ACTOR, "Chưa đúng")
        elif kind == "reverified":
            workflow.verify(db, submission, TEST_ACTOR)
    db.commit()


def engine_results(db, period, basis):
    """(rows as reference_targets gives them, offerings as reference_offerings does)."""
    results = compute_targets(db, period, basis)
    rows = [(r.target.code, r.numerator, r.denominator, r.value, r.met, r.coverage.covered, r.coverage.total)
            for r in results]
    offerings = {r.target.code: (r.offerings.numerator, r.offerings.denominator, r.offerings.value,
                                 r.offerings.coverage.covered, r.offerings.coverage.total)
                 for r in results if r.offerings is not None}
    return rows, offerings


# --- properties ----------------------------------------------------------------------

@SETTINGS
@given(reg=registries())
def test_shipped_targets_match_the_reference(db, reg):
    empty_registry(db)
    build(db, reg)
    for period in PERIODS:
        for basis in BASES:
            expected = reference_targets(db, period, basis)
            assert [row[0] for row in expected] == [t["code"] for t in DECISION_1529_TARGETS]
            rows, offerings = engine_results(db, period, basis)
            assert rows == expected, (period, basis)
            assert offerings == reference_offerings(db, period, basis), (period, basis)


@SETTINGS
@given(reg=registries(), data=st.data())
def test_custom_targets_match_the_reference(db, reg, data):
    empty_registry(db)
    build(db, reg)
    customs = [Target(**data.draw(custom_targets(index), label=f"target {index}"))
               for index in range(data.draw(st.integers(1, 3), label="custom targets"))]
    db.add_all(customs)
    db.commit()
    # Often move a threshold exactly onto the value, where ">=" and ">" differ.
    basis = data.draw(st.sampled_from(BASES), label="boundary basis")
    values = {row[0]: row for row in reference_targets(db, YEAR, basis)}
    for target in customs:
        _, numerator, denominator, *_ = values[target.code]
        if not data.draw(st.booleans(), label=f"{target.code} on its boundary"):
            continue
        if target.unit == "count":
            target.threshold = numerator
        elif denominator and (numerator * 100) % denominator == 0:
            target.threshold = numerator * 100 // denominator
    db.commit()
    customs_in_db = len(db.exec(select(Target).where(Target.code.not_in(sorted(SHIPPED)))).all())
    for period in PERIODS:
        for basis in BASES:
            expected = reference_targets(db, period, basis)
            assert len(expected) == len(SHIPPED) + customs_in_db
            rows, offerings = engine_results(db, period, basis)
            assert rows == expected, (period, basis)
            assert offerings == reference_offerings(db, period, basis), (period, basis)
