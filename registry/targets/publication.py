"""Publishing a closed period (rule 12): its results and the figures behind them, frozen.

Closing a period stores, for each basis, ``published_part`` rows: ``targets``
(each result with the definition and version it was judged by), ``agencies``
(each agency valid in the period with the adoption report that counted) and
``services`` (each service valid in the period with the level that counted,
``null`` without verified data). Pages, drill-downs, open data and the API read
a closed period from them, so nothing done later to agencies, services,
targets or other periods changes what was published. Closing a re-opened
period publishes again; every published figure that changed is kept as a
public ``correction``. The ranking's table is one more part (``ranking``, in the
public basis): open data reads a closed period's ranking from it; so are the
province-wide indicators (``indicators``, indicators/results.py).

The published targets carry the version of the registry's counting rules they were
counted under (``COUNTING_RULES``). When the rules change, every closed period
published under older ones (or, before publication existed, not stored at all) is
published again, as one correction with the reason SPEC §8.1 gives
(``republish_reason``). No Flask here.
"""

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from registry.catalogue.levels import EVIDENCE_FIELDS
from registry.catalogue.validity import valid_in
from registry.core.errors import N_
from registry.core.vocabulary import PUBLISHED_STATUSES
from registry.indicators.results import INDICATOR_FIGURES, INDICATORS_PART, indicator_results, indicators_part
from registry.models import (
    REPORT_FIELDS,
    REPORT_FLAGS,
    Agency,
    Correction,
    PeriodStatus,
    PublishedPart,
    ReportingPeriod,
    Service,
    Target,
    name_keys,
    utcnow,
)
from registry.rankings.figures import FIGURES_PART, figures_part, load_years
from registry.rankings.ranking import TABLE_COLUMNS, Ranking, compute_ranking, table_rows
from registry.targets.basis import BASES, BasisJoin
from registry.targets.engine import compute_targets
from registry.targets.results import TargetResult, result_from_payload, result_payload

# The registry's own counting rules: 2 is SPEC version 2 (procedures, the decision's scopes,
# level 4). Raise it with a change of how any published figure is counted, and give its reason.
COUNTING_RULES = 2
RULES_REASONS = {2: N_("cách tính theo đặc tả phiên bản 2")}  # SPEC §8.1: the reason, in these words
PUBLIC_BASIS = "verified"  # corrections list what the public was told
RANKING_PART = "ranking"  # the ranking is published in the public basis only: it reads verified data
PARTS = ("targets", "agencies", "services", RANKING_PART, INDICATORS_PART)  # what a correction compares
SERVICE_COLUMNS = ("code", "procedure_code", "name", "name_en", "sector", "agency_code", "agency_name",
                   "agency_name_en", "level", *EVIDENCE_FIELDS, "in_basis")
AGENCY_COLUMNS = ("code", "name", "name_en", "tier", "kind", "parent_code", "in_basis", *REPORT_FIELDS)
# the figures of an agency's place in the ranking a correction lists
RANKED_FIGURES = ("assessed", "rank", "score", "score_exact", "grade")
# the target figures a correction lists
TARGET_FIGURES = ("threshold", "comparator", "numerator", "denominator", "value", "met", "status",
                  "coverage_covered", "coverage_total")


# --- what is published ----------------------------------------------------------------

def _services_statement(year: int, basis: str):
    """Every service valid in the period, in Vietnamese order, with the level that counts
    for it (NULL without data in the basis) and its evidence."""
    figures = BasisJoin(year, basis)
    statement = (
        select(Service.code, Service.procedure_code, Service.name, Service.name_en, Service.sector,
               Agency.code.label("agency_code"),
               Agency.name.label("agency_name"), Agency.name_en.label("agency_name_en"),
               figures.known_level().label("level"), *[figures.status(f).label(f) for f in EVIDENCE_FIELDS],
               figures.flag().label("in_basis"))
        .join(Agency, Agency.id == Service.agency_id)
        .where(valid_in(Service, year), valid_in(Agency, year))
        .order_by(Service.name_sort, Service.code)
    )
    return figures.join_statuses(figures.join(statement, Service.agency_id), Service.id)


def _report_value(name: str, value):
    if value is None:
        return None
    return bool(value) if name in REPORT_FLAGS else int(value)


def _agencies_statement(year: int, basis: str):
    figures = BasisJoin(year, basis)
    parent = aliased(Agency)
    statement = (
        select(Agency.code, Agency.name, Agency.name_en, Agency.tier, Agency.kind, parent.code.label("parent_code"),
               figures.flag().label("in_basis"), *[figures.field(f).label(f) for f in REPORT_FIELDS])
        .select_from(Agency)
        .join(parent, parent.id == Agency.parent_id, isouter=True)
        .where(valid_in(Agency, year))
        .order_by(Agency.name_sort, Agency.code)
    )
    return figures.join(statement, Agency.id)


def figures_now(session: Session, year: int, basis: str) -> dict[str, dict]:
    """The parts as they would be published now."""
    results = compute_targets(session, year, basis, provisional=False)
    services = [[r.code, r.procedure_code, r.name, r.name_en, r.sector, r.agency_code, r.agency_name,
                 r.agency_name_en, None if r.level is None else int(r.level), *[r._mapping[f] for f in EVIDENCE_FIELDS],
                 bool(r.in_basis)] for r in session.execute(_services_statement(year, basis))]
    agencies = [[r.code, r.name, r.name_en, r.tier, r.kind, r.parent_code, bool(r.in_basis),
                 *[_report_value(f, r._mapping[f]) for f in REPORT_FIELDS]]
                for r in session.execute(_agencies_statement(year, basis))]
    return {"targets": {"results": [result_payload(r) for r in results], "rules": COUNTING_RULES},
            "agencies": {"columns": list(AGENCY_COLUMNS), "rows": agencies},
            "services": {"columns": list(SERVICE_COLUMNS), "rows": services}}


def store_part(session: Session, year: int, basis: str, part: str, payload, now=None) -> None:
    row = session.get(PublishedPart, (year, basis, part))
    if row is None:
        session.add(PublishedPart(period_year=year, basis=basis, part=part, payload=payload,
                                  published_at=now or utcnow()))
    else:
        row.payload, row.published_at = payload, now or utcnow()


def indicators_now(session: Session, period: ReportingPeriod) -> dict:
    """The province-wide indicators as closing ``period`` would publish them now."""
    return indicators_part(indicator_results(session, period, live=True, provisional=False))


def ranking_now(session: Session, year: int) -> Ranking:
    """The ranking as it would be published now, from the period's verified data."""
    return compute_ranking(session, year, live=True)


def ranking_part(found: Ranking) -> dict:
    """The ranking part: the ranking's table (verified data only)."""
    return {"columns": list(TABLE_COLUMNS), "rows": table_rows(found)}


def publish(session: Session, period: ReportingPeriod, reason: str | None = None,
            shown_before: bool = False) -> Correction | None:
    """Publish ``period`` (being closed) in both bases, and its ranking. When it was
    published before, every published figure that changed becomes one correction (with
    ``reason``); None when it is published for the first time or nothing changed.
    ``shown_before``: the public was told figures that were never stored (a period closed
    before publication existed), so a first publication is a correction too, each
    target's figures listed with nothing to show before them."""
    year = period.year
    before = {part: published_part(session, year, PUBLIC_BASIS, part, any_status=True) for part in PARTS}
    now = utcnow()
    after = {}
    for basis in BASES:
        parts = figures_now(session, year, basis)
        for part, payload in parts.items():
            store_part(session, year, basis, part, payload, now)
        if basis == PUBLIC_BASIS:
            after = parts
    session.flush()
    found = ranking_now(session, year)
    after[RANKING_PART] = ranking_part(found)
    store_part(session, year, PUBLIC_BASIS, RANKING_PART, after[RANKING_PART], now)
    # what the period's scorecards and ranking are read from once it is closed (rankings/figures.py)
    store_part(session, year, PUBLIC_BASIS, FIGURES_PART, figures_part(found.figures), now)
    after[INDICATORS_PART] = indicators_now(session, period)
    store_part(session, year, PUBLIC_BASIS, INDICATORS_PART, after[INDICATORS_PART], now)
    session.flush()
    if before["targets"] is None and not shown_before:
        return None
    changes = (changed_figures(year, before, after) if before["targets"] is not None
               else _diff("target", {}, _target_figures(year, after["targets"]), TARGET_FIGURES, unknown=True))
    if not changes:
        return None
    correction = Correction(period_year=year, made_at=now, reason=reason or "", changes=changes)
    session.add(correction)
    session.flush()
    return correction


def pending_corrections(session: Session, period: ReportingPeriod) -> list[dict] | None:
    """What closing a correcting period would publish as its correction, now (§8.2: auditors
    and administrators see the corrected figures before the public does); None when the
    period is not being corrected, or was never published."""
    if period.status != PeriodStatus.correcting.value:
        return None
    year = period.year
    before = {part: published_part(session, year, PUBLIC_BASIS, part, any_status=True) for part in PARTS}
    if before["targets"] is None:
        return None
    after = {**figures_now(session, year, PUBLIC_BASIS), RANKING_PART: ranking_part(ranking_now(session, year)),
             INDICATORS_PART: indicators_now(session, period)}
    return changed_figures(year, before, after)


def complete_publications(session: Session) -> list[int]:
    """Give each closed period published before the ``figures`` part existed one (rankings/figures.py):
    made from its verified data, frozen since it closed, with each agency named, placed and
    grouped as the published ``agencies`` part has it. From then on its scorecards and ranking
    are read from it, whatever happens to the agencies. A closed period published before its
    province-wide indicators were gets them as they stand (their values are frozen with the
    period, and no version can begin in a closed period). Returns the periods completed."""
    done = []
    closed = session.execute(select(ReportingPeriod).where(ReportingPeriod.status == PeriodStatus.closed.value)
                             .order_by(ReportingPeriod.year)).scalars().all()
    for period in closed:
        year = period.year
        if (published_part(session, year, PUBLIC_BASIS, "targets") is not None
                and published_part(session, year, PUBLIC_BASIS, INDICATORS_PART) is None):
            store_part(session, year, PUBLIC_BASIS, INDICATORS_PART, indicators_now(session, period))
            done.append(year)
        published = _rows_by_code(published_part(session, year, PUBLIC_BASIS, "agencies"))
        if not published or published_part(session, year, PUBLIC_BASIS, FIGURES_PART) is not None:
            continue
        figures = load_years(session, [year], live=(year,))[year]
        ids = {a.code: a.id for a in figures.values()}
        for agency in figures.values():
            then = published.get(agency.code)
            if then is not None:
                agency.name, agency.name_en, agency.tier, agency.kind = (then["name"], then["name_en"], then["tier"],
                                                                         then["kind"])
                agency.parent_id = ids.get(then["parent_code"])
                agency.name_sort = name_keys(agency.code, agency.name, agency.name_en)[1]
        store_part(session, year, PUBLIC_BASIS, FIGURES_PART, figures_part(figures))
        done.append(year)
    session.flush()
    return sorted(set(done))


def counted_under(payload) -> int | None:
    """The counting rules a published targets part was counted under; None: not published.
    Parts published before the rules were recorded were counted under version 2: the
    registry published nothing before it counted the version-2 way (migrations 0011, 0009)."""
    return None if payload is None else payload.get("rules", 2)


def outdated_periods(session: Session) -> list[tuple[ReportingPeriod, int | None]]:
    """The closed periods whose published figures were counted under older rules than the
    registry's, or not stored at all (closed before publication existed), each with the rules
    it was counted under (None: not stored): oldest first."""
    closed = session.execute(select(ReportingPeriod).where(ReportingPeriod.status == PeriodStatus.closed.value)
                             .order_by(ReportingPeriod.year)).scalars().all()
    counted = [(p, counted_under(published_part(session, p.year, PUBLIC_BASIS, "targets"))) for p in closed]
    return [(period, rules) for period, rules in counted if (rules or 0) < COUNTING_RULES]


def republish_reason() -> str:
    return RULES_REASONS[COUNTING_RULES]


# --- reading it -----------------------------------------------------------------------

def published_part(session: Session, year: int, basis: str, part: str, any_status: bool = False):
    """The payload of a published part of a closed (or correcting) period, or None."""
    statement = (select(PublishedPart.payload)
                 .where(PublishedPart.period_year == year, PublishedPart.basis == basis, PublishedPart.part == part))
    if not any_status:
        statement = statement.join(ReportingPeriod, ReportingPeriod.year == PublishedPart.period_year).where(
            ReportingPeriod.status.in_(PUBLISHED_STATUSES))
    return session.execute(statement).scalar()


def published_results(session: Session, years: list[int], basis: str) -> dict[int, list[TargetResult]]:
    """The published results of those of ``years`` that are closed (or correcting) and published."""
    if not years:
        return {}
    rows = session.execute(
        select(PublishedPart.period_year, PublishedPart.payload)
        .join(ReportingPeriod, ReportingPeriod.year == PublishedPart.period_year)
        .where(PublishedPart.basis == basis, PublishedPart.part == "targets", PublishedPart.period_year.in_(years),
               ReportingPeriod.status.in_(PUBLISHED_STATUSES))).all()
    return {year: [result_from_payload(year, basis, item, Target) for item in payload["results"]]
            for year, payload in rows}


def published_rows(session: Session, year: int, basis: str, part: str) -> list[dict] | None:
    """The rows of a published ``agencies`` or ``services`` part as dicts, or None."""
    payload = published_part(session, year, basis, part)
    if payload is None:
        return None
    columns = payload["columns"]
    return [dict(zip(columns, row)) for row in payload["rows"]]


def corrections(session: Session, year: int) -> list[dict]:
    """The period's corrections, oldest first, as the API lists them (SPEC §8.9)."""
    rows = session.execute(select(Correction).where(Correction.period_year == year)
                           .order_by(Correction.made_at, Correction.id)).scalars()
    return [{"date": c.made_at.date().isoformat(), "reason": c.reason, "changes": c.changes} for c in rows]


# --- what changed -------------------------------------------------------------------------

def _target_figures(year: int, payload) -> dict[str, dict]:
    figures = {}
    for item in (payload or {}).get("results", []):
        r = result_from_payload(year, PUBLIC_BASIS, item, Target)
        figures[r.target.code] = {
            "threshold": r.target.threshold, "comparator": r.target.comparator, "numerator": r.numerator,
            "denominator": r.denominator, "value": r.value, "met": r.verdict, "status": r.status,
            "coverage_covered": r.coverage.covered, "coverage_total": r.coverage.total}
    return figures


def _rows_by_code(payload) -> dict[str, dict]:
    if not payload:
        return {}
    columns = payload["columns"]
    return {row[0]: dict(zip(columns, row)) for row in payload["rows"]}


def _diff(kind: str, before: dict[str, dict], after: dict[str, dict], fields, unknown: bool = False) -> list[dict]:
    """Each field that differs; ``unknown``: what was before is not known (never stored), so
    every field of ``after`` is listed against nothing."""
    changes = []
    for code in sorted(before.keys() | after.keys()):
        old, new = before.get(code), after.get(code)
        if unknown:
            changes += [{"kind": kind, "code": code, "field": name, "before": None, "after": new.get(name)}
                        for name in fields]
            continue
        if old is None or new is None:
            changes.append({"kind": kind, "code": code, "field": "listed", "before": old is not None,
                            "after": new is not None})
            continue
        for name in fields:
            if old.get(name) != new.get(name):
                changes.append({"kind": kind, "code": code, "field": name, "before": old.get(name),
                                "after": new.get(name)})
    return changes


def changed_figures(year: int, before: dict, after: dict) -> list[dict]:
    """Each published figure that differs: targets, agencies, services, ranks, then indicators
    (a period published before its ranking, or its indicators, were lists no changes of them)."""
    return (_diff("target", _target_figures(year, before["targets"]), _target_figures(year, after["targets"]),
                  TARGET_FIGURES)
            + _diff("agency", _rows_by_code(before["agencies"]), _rows_by_code(after["agencies"]),
                    ("in_basis", *REPORT_FIELDS))
            + _diff("service", _rows_by_code(before["services"]), _rows_by_code(after["services"]),
                    ("level", "in_basis"))
            + (_diff("rank", _rows_by_code(before[RANKING_PART]), _rows_by_code(after[RANKING_PART]),
                     RANKED_FIGURES) if before.get(RANKING_PART) else [])
            + (_diff("indicator", _rows_by_code(before[INDICATORS_PART]), _rows_by_code(after[INDICATORS_PART]),
                     INDICATOR_FIGURES) if before.get(INDICATORS_PART) else []))
