"""Open data (SPEC §5): for one period, the ``verified`` basis only, four data sets —
``targets``, ``agencies``, ``services`` and ``corrections`` — with stable English
snake_case column codes, in CSV (UTF-8 with BOM, CRLF), XLSX and JSON. No personal
data: no user, no e-mail, no verifier.

A closed period's files are made from what closing it published (rule 12); an open
period's figures are provisional (the ``provisional`` column, and the JSON's
``provisional``). A service without verified data has an empty ``level`` (``null``),
never 0 (rule 3).

Every file is made as a stream: agencies and services are read with
``yield_per`` (a server-side cursor on PostgreSQL, ``fetchmany`` on SQLite)
and written as they come, so a national catalogue (100 000 services) goes out
from its first rows in bounded memory. No Flask here.
"""

import hashlib
import os
import tempfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from registry.catalogue.levels import EVIDENCE_FIELDS
from registry.catalogue.validity import is_valid, valid_in
from registry.dataio.streams import Chunks, csv_stream, json_stream
from registry.dataio.xlsx import Sheet, xlsx_stream
from registry.indicators.results import indicator_results
from registry.models import REPORT_FIELDS, REPORT_FLAGS, Agency, ReportingPeriod, Service, Submission
from registry.rankings.ranking import TABLE_COLUMNS, ranking, table_rows
from registry.sample import shows_sample_data
from registry.submissions.periods import period_or_404
from registry.targets import cache as results_cache
from registry.targets.basis import BasisJoin
from registry.targets.engine import is_provisional
from registry.targets.publication import RANKING_PART, corrections, published_part, published_rows
from registry.targets.results import TargetResult

DATASETS = ("targets", "agencies", "services", "ranking", "indicators", "corrections")
OPEN_DATA_FORMATS = ("csv", "xlsx", "json")
OPEN_DATA_BASIS = "verified"  # the public is told only what has been verified
BATCH_SIZE = 1000

# --- open data columns: stable codes, documented on /open-data ---------------------

TARGET_COLUMNS = (
    "code", "title_vi", "title_en", "citation", "unit", "comparator", "threshold", "deadline",
    "numerator", "denominator", "value", "met", "status", "coverage_covered", "coverage_total",
    # service targets: numerator and denominator count procedures; the same figures over services
    "counting_unit", "offerings_numerator", "offerings_denominator", "offerings_value",
    "offerings_coverage_covered", "offerings_coverage_total",
    "provisional", "version", "version_effective_from",
)
AGENCY_COLUMNS = ("code", "name", "name_en", "tier", "kind", "parent_code", "active", "in_basis", *REPORT_FIELDS)
SERVICE_COLUMNS = (
    "code", "procedure_code", "name", "name_en", "agency_code", "sector", "level", *EVIDENCE_FIELDS, "in_basis",
)
RANKING_COLUMNS = TABLE_COLUMNS
INDICATOR_COLUMNS = ("code", "title_vi", "title_en", "citation", "unit", "comparator", "threshold", "deadline",
                     "value", "numerator", "denominator", "met", "status", "provisional", "source", "evidence_url")
CORRECTION_COLUMNS = ("date", "reason", "kind", "code", "field", "before", "after")
COLUMNS = {"targets": TARGET_COLUMNS, "agencies": AGENCY_COLUMNS, "services": SERVICE_COLUMNS,
           "ranking": RANKING_COLUMNS, "indicators": INDICATOR_COLUMNS, "corrections": CORRECTION_COLUMNS}

# --- reading: rows in batches ----------------------------------------------------------

def read_in_batches(session: Session, statement, batch_size: int) -> Iterator:
    """The rows of ``statement``, fetched ``batch_size`` at a time (never all at once)."""
    result = session.execute(statement.execution_options(yield_per=batch_size))
    try:
        for partition in result.partitions(batch_size):
            yield from partition
    finally:
        result.close()


def services_statement(period: int, basis: str):
    """Every service valid in the period (the targets' denominator), with the level and
    evidence that count for it in the basis (a NULL level, "no verified data", when its
    agency's submission is not in the basis)."""
    figures = BasisJoin(period, basis)
    statement = (
        select(Service.code, Service.procedure_code, Service.name, Service.name_en, Agency.code.label("agency_code"),
               Agency.name.label("agency_name"), Service.sector, figures.known_level().label("level"),
               *[figures.status(f).label(f) for f in EVIDENCE_FIELDS],
               figures.flag().label("in_basis"))
        .join(Agency, Agency.id == Service.agency_id)
        .where(valid_in(Service, period), valid_in(Agency, period))
        .order_by(Agency.code, Service.code)
    )
    return figures.join_statuses(figures.join(statement, Service.agency_id), Service.id)


def _level(value) -> int | None:
    return None if value is None else int(value)


def service_rows(session: Session, period: int, basis: str = OPEN_DATA_BASIS,
                 batch_size: int = BATCH_SIZE) -> Iterator[tuple]:
    """Open-data rows of the services (SERVICE_COLUMNS), read in batches, or from what
    closing the period published."""
    published = published_rows(session, period, basis, "services")
    if published is not None:
        for r in sorted(published, key=lambda row: (row["agency_code"], row["code"])):
            # published before procedures were published: each service was its own procedure
            yield (r["code"], r.get("procedure_code", r["code"]), r["name"], r["name_en"], r["agency_code"],
                   r["sector"], r["level"],
                   *[r[f] for f in EVIDENCE_FIELDS], r["in_basis"])
        return
    for r in read_in_batches(session, services_statement(period, basis), batch_size):
        yield (r.code, r.procedure_code, r.name, r.name_en, r.agency_code, r.sector, _level(r.level),
               *[r._mapping[f] for f in EVIDENCE_FIELDS], bool(r.in_basis))


def agencies_statement(figures: BasisJoin):
    parent = aliased(Agency)
    statement = (
        select(Agency.id, Agency.code, Agency.name, Agency.name_en, Agency.tier, Agency.kind,
               parent.code.label("parent_code"), Agency.active, Agency.valid_from, Agency.valid_to,
               figures.flag().label("in_basis"),
               *[figures.field(f).label(f) for f in REPORT_FIELDS])
        .select_from(Agency)
        .join(parent, parent.id == Agency.parent_id, isouter=True)
    )
    return figures.join(statement, Agency.id)


def report_value(name: str, value):
    if value is None:
        return None
    return bool(value) if name in REPORT_FLAGS else int(value)


def agency_rows(session: Session, period: int, basis: str = OPEN_DATA_BASIS,
                batch_size: int = BATCH_SIZE) -> Iterator[tuple]:
    """Open-data rows of every agency (AGENCY_COLUMNS), with the adoption report that
    counts in the basis (its last verified copy), or empty cells; ``active``: valid in the
    period. A closed period's rows are what closing it published."""
    published = published_rows(session, period, basis, "agencies")
    if published is not None:
        for r in sorted(published, key=lambda row: row["code"]):
            yield (r["code"], r["name"], r["name_en"], r["tier"], r["kind"], r["parent_code"], True, r["in_basis"],
                   *[r[f] for f in REPORT_FIELDS])
        return
    statement = agencies_statement(BasisJoin(period, basis)).order_by(Agency.code)
    for r in read_in_batches(session, statement, batch_size):
        yield (r.code, r.name, r.name_en, r.tier, r.kind, r.parent_code, is_valid(r, period), bool(r.in_basis),
               *[report_value(f, r._mapping[f]) for f in REPORT_FIELDS])


def target_rows(results: list[TargetResult]) -> Iterator[tuple]:
    for r in results:
        t = r.target
        yield (t.code, t.title_vi, t.title_en, t.citation, t.unit, t.comparator, t.threshold, t.deadline,
               r.numerator, r.denominator, r.value, r.verdict, r.status, r.coverage.covered, r.coverage.total,
               *_offerings_cells(r), r.provisional, r.version[0], r.version[1])


def _offerings_cells(r: TargetResult) -> tuple:
    o = r.offerings
    if o is None:
        return (r.counting_unit, None, None, None, None, None)
    return (r.counting_unit, o.numerator, o.denominator, o.value, o.coverage.covered, o.coverage.total)


def correction_rows(session: Session, period: int) -> Iterator[tuple]:
    """One row per corrected figure (rule 12)."""
    for c in corrections(session, period):
        for change in c["changes"]:
            yield (c["date"], c["reason"], change["kind"], change["code"], change["field"],
                   _cell(change["before"]), _cell(change["after"]))


def _cell(value):
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def dataset_rows(session: Session, dataset: str, period: int, basis: str = OPEN_DATA_BASIS,
                 batch_size: int = BATCH_SIZE) -> Iterator[tuple]:
    if dataset == "targets":
        return target_rows(results_cache.target_results(session, period, basis))
    if dataset == "agencies":
        return agency_rows(session, period, basis, batch_size)
    if dataset == "services":
        return service_rows(session, period, basis, batch_size)
    if dataset == "ranking":
        return ranking_rows(session, period)
    if dataset == "indicators":
        return indicator_rows(session, period)
    if dataset == "corrections":
        return correction_rows(session, period)
    raise ValueError(dataset)


def indicator_rows(session: Session, period: int) -> Iterator[tuple]:
    """Every province-wide indicator of the period (SPEC §3b), verified values only, exact
    (a decimal: a number in CSV and XLSX, a string in JSON)."""
    for r in indicator_results(session, session.get(ReportingPeriod, period)):
        i = r.indicator
        yield (i.code, i.title_vi, i.title_en, i.citation, i.unit, i.comparator, Decimal(i.threshold), i.deadline,
               None if r.value is None else Decimal(r.value), r.numerator, r.denominator, r.met, r.status,
               r.provisional, r.source, r.evidence_url)


def ranking_rows(session: Session, period: int) -> Iterator[tuple]:
    """Every agency's score, grade and rank of the period (rankings/ranking.py): a closed
    period's as closing it published them (periods closed before rankings were published:
    computed from its verified data)."""
    published = published_part(session, period, OPEN_DATA_BASIS, RANKING_PART)
    rows = published["rows"] if published is not None else table_rows(ranking(session, period))
    for row in rows:
        yield tuple(row)


# --- open data ----------------------------------------------------------------------------

def moment(now: datetime | None) -> datetime:
    """``now``, or the present moment, to the second: when a file says it was made."""
    return (now or datetime.now(timezone.utc)).replace(microsecond=0)


def open_data_stream(session: Session, dataset: str, period, fmt: str, *, batch_size: int = BATCH_SIZE,
                     now: datetime | None = None) -> Chunks:
    """One open-data file as a stream of bytes chunks: ``dataset`` (targets, agencies,
    services) of ``period`` in ``fmt`` (csv, xlsx, json), verified figures only.
    Checks at once (before the first chunk is asked for): NotFound for an unknown
    period, ValueError for an unknown data set or format."""
    if dataset not in DATASETS:
        raise ValueError(dataset)
    if fmt not in OPEN_DATA_FORMATS:
        raise ValueError(fmt)
    year = period_or_404(session, period).year
    header = COLUMNS[dataset]
    rows = dataset_rows(session, dataset, year, OPEN_DATA_BASIS, batch_size)
    if fmt == "json":
        meta = {"dataset": dataset, "period": year, "basis": OPEN_DATA_BASIS,
                "generated_at": moment(now).isoformat(), "demonstration_data": shows_sample_data(session),
                "provisional": is_provisional(session, year), "corrections": corrections(session, year)}
        return json_stream(meta, header, rows)
    if fmt == "csv":
        return csv_stream(header, rows)
    return xlsx_stream([Sheet(dataset, header, rows)])


def open_data(session: Session, dataset: str, period, fmt: str, **options) -> bytes:
    """``open_data_stream``, whole."""
    return b"".join(open_data_stream(session, dataset, period, fmt, **options))


def open_data_filename(period: int, dataset: str, fmt: str) -> str:
    return f"dien-bien-{period}-{dataset}.{fmt}"


def periods_with_verified_data(session: Session) -> set[int]:
    return set(session.execute(select(Submission.period_year).where(Submission.verified_sequence.is_not(None))
                               .distinct()).scalars())




# --- files built once per generation ------------------------------------------------------

def built_file(session: Session, folder: Path, dataset: str, period: int, fmt: str, generation: str) -> Path:
    """The open-data file of ``dataset``, ``period`` and ``fmt`` as the figures stand at
    ``generation`` (what they depend on: the tokens of the period, the database): made
    once into ``folder`` and found there by every later download until the figures
    change. Written to a temporary name and renamed, so a reader never sees half a file;
    two workers that build it at once both write whole files, and the later rename wins.
    The files of older generations of the same download are removed."""
    key = hashlib.sha256(f"{generation}\x1f{dataset}\x1f{period}\x1f{fmt}".encode()).hexdigest()[:20]
    path = folder / f"{period}-{dataset}-{key}.{fmt}"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, building = tempfile.mkstemp(dir=folder, prefix=".building-", suffix=f".{fmt}")
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in open_data_stream(session, dataset, period, fmt):
                out.write(chunk)
        os.replace(building, path)
    except BaseException:
        Path(building).unlink(missing_ok=True)
        raise
    for older in folder.glob(f"{period}-{dataset}-*.{fmt}"):
        if older != path:
            older.unlink(missing_ok=True)
    return path
