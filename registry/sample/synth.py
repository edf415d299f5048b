"""A deterministic synthetic registry of any size, for benchmarks (``registry synth``).

The same seed and sizes give the same rows, byte for byte, on SQLite and on
PostgreSQL: every id, name, level, figure and timestamp is drawn from random
streams seeded by the seed (only the single audit event records when the
synthesis really ran). The shape follows the real registry: provinces with
their departments, districts and communes, schools and health facilities
under a parent hierarchy; procedure names composed from the words real
procedures use, beside the real names of the demonstration set; levels and
adoption that grow from 2010; older periods mostly verified, then closed and
published by ``periods.close_period`` as an administrator closes them, the
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
from registry.audit import Actor
from registry.catalogue.levels import DEFAULT_SCALE, EVIDENCE_FIELDS, LEVELS, MAX_LEVEL, required_evidence
from registry.core.errors import N_, Conflict, Msg, ValidationFailed
from registry.core.search import fold, sort_key
from registry.indicators.definitions import ensure_indicators
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
    default_due_date,
)
from registry.sample import synth_plan as plan
from registry.sample import synth_words as words
from registry.sample.demo import AgencyTrajectory
from registry.submissions.periods import close_period
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

    def lines(self) -> list[Msg]:
        """What was made, as messages for the command to translate."""
        r, first, last = self.rows, self.years[0], self.years[-1]
        return [
            Msg(N_("Đã tạo sổ đăng ký tổng hợp (hạt giống %(seed)s) trong %(seconds)s giây:"), seed=self.seed,
                seconds=f"{self.seconds:.1f}"),
            Msg("  %(periods)s", periods=Msg(
                N_("%(agencies)s cơ quan, %(services)s dịch vụ, %(count)s kỳ báo cáo (%(first)s–%(last)s; kỳ "
                   "%(last)s đang mở, các kỳ trước đã khóa)") if len(self.years) > 1 else
                N_("%(agencies)s cơ quan, %(services)s dịch vụ, %(count)s kỳ báo cáo (%(first)s–%(last)s; kỳ "
                   "%(last)s đang mở)"),
                agencies=r["agency"], services=r["service"], count=len(self.years), first=first, last=last)),
            Msg("  %(copies)s", copies=Msg(
                N_("%(submissions)s bản báo cáo với %(statuses)s trạng thái dịch vụ; %(verified)s bản đã xác minh "
                   "với %(verified_statuses)s trạng thái"), submissions=r["submission"],
                statuses=r["service_status"], verified=r["verified_copy"],
                verified_statuses=r["verified_service_status"])),
            Msg("  %(states)s", states=period_states(last, self.latest_states)),
        ]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def period_states(year: int, states: dict[str, int]) -> Msg:
    return Msg(N_("kỳ %(year)s: %(verified)s đã xác minh, %(submitted)s đã gửi, %(returned)s bị trả lại, "
                  "%(draft)s bản nháp, %(reopened)s mở lại, %(none)s chưa có báo cáo"), year=year, **states)


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
        low, high = words.STEP_DAYS[action]
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
        if action in words.WRITES and entries[action] == current:
            continue  # write_entries changes nothing, and bumps no version, when nothing differs
        at = timeline.step(action)
        version += 1
        if action in words.WRITES:
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
    for (name, _share), quota in zip(shares, plan.apportion(len(order), [s for _, s in shares])):
        for agency_id in order[start:start + quota]:
            histories[agency_id] = name
        start += quota
    return histories


def _period_histories(rng: random.Random, agencies: list[plan._Agency], index: int, is_open: bool) -> dict[int, str]:
    """The history of each agency's submission in a period ("none": no submission)."""
    if is_open:
        return _shares_to_histories(rng, [a.id for a in agencies if a.active], words.OPEN_SHARES)
    reporting = min(words.REPORTING_MAX, words.REPORTING_AT_START + words.REPORTING_GROWTH * index)
    shares = [("none", 1 - reporting)] + [(name, share * reporting) for name, share in words.CLOSED_SHARES]
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

    def log(self, line: Msg) -> None:
        self.say(Msg("[%(seconds)s s] %(line)s", seconds=f"{time.monotonic() - self.started:7.1f}", line=line))

    def run(self, agency_count: int, service_count: int) -> dict[str, int]:
        agencies = plan._plan_agencies(agency_count, self.stream("agencies"))
        self.write_agencies(agencies)
        services = plan._plan_services(service_count, agencies, self.stream("services"))
        self.write_services(services)
        self.log(Msg(N_("%(agencies)s cơ quan, %(services)s dịch vụ"), agencies=len(agencies),
                     services=len(services)))

        level_rng = self.stream("levels")
        pace = {a.id: words.TIER_PACE[a.tier] * level_rng.uniform(0.75, 1.25) for a in agencies}
        self.levels = [plan._level_history(level_rng, pace[s.agency_id], self.years) for s in services]
        report_rng = self.stream("reports")
        self.trajectories = {a.id: AgencyTrajectory(a.kind, a.tier, report_rng) for a in agencies}
        self.services_of: dict[int, list[plan._Service]] = {}
        for service in services:
            self.services_of.setdefault(service.agency_id, []).append(service)
        self.urls = self.evidence_urls(services, agencies)

        latest_states: dict[str, int] = {}
        for index, year in enumerate(self.years):
            is_open = index == len(self.years) - 1
            # every period is written open: the older ones are closed afterwards by close_period,
            # which publishes them as an administrator's close does (rule 12; see synthesize)
            self.writer.add(ReportingPeriod.__tablename__, {
                "year": year, "status": PeriodStatus.open.value, "due_date": default_due_date(year),
                "level_scale": DEFAULT_SCALE, "correction_reason": None})
            rng = self.stream(f"period/{year}")
            histories = _period_histories(rng, agencies, index, is_open)
            states = self.write_period(rng, agencies, index, year, histories)
            self.log(period_states(year, states))
            if is_open:
                latest_states = states
        self.writer.flush()
        return latest_states

    def write_agencies(self, agencies: list[plan._Agency]) -> None:
        for a in agencies:
            name_key, name_sort = name_keys(a.code, a.name, a.name_en)
            self.writer.add(Agency.__tablename__, {
                "id": a.id, "code": a.code, "name": a.name,
                "name_en": a.name_en, "tier": a.tier, "kind": a.kind, "parent_id": a.parent_id, "active": a.active,
                "valid_from": None, "valid_to": None,  # valid in every period while active (catalogue/validity.py)
                "name_key": name_key, "name_sort": name_sort})

    def write_services(self, services: list[plan._Service]) -> None:
        for s in services:
            name_key, name_sort = name_keys(s.code, s.procedure.name, s.procedure.name_en)
            self.writer.add(Service.__tablename__, {
                "id": s.id, "code": s.code, "name": s.procedure.name,
                "name_en": s.procedure.name_en, "agency_id": s.agency_id, "sector": s.procedure.sector,
                "active": s.active, "valid_from": None, "valid_to": None,
                "name_key": name_key, "name_sort": name_sort,
                "procedure_code": s.code})  # each synthetic service its own procedure

    def evidence_urls(self, services: list[plan._Service], agencies: list[plan._Agency]) -> dict[int, dict[str, str]]:
        """Each service's evidence addresses, on its province's portal."""
        province_of = {a.id: a.province for a in agencies}
        portals = {}
        for a in agencies:
            if a.tier == "province" and a.kind == "people_committee":
                slug = fold(a.name.removeprefix("Ủy ban nhân dân tỉnh ")).replace(" ", "")
                portals[a.province] = EVIDENCE_HOST.format(slug=slug)
        paths = {"info_url": "thu-tuc/{}", "form_url": "bieu-mau/{}.docx", "submission_url": "nop-ho-so/{}",
                 "payment_url": "thanh-toan/{}"}
        return {s.id: {f: f"{portals[province_of[s.agency_id]]}/{paths[f].format(s.code)}" for f in EVIDENCE_FIELDS}
                for s in services}

    def status(self, service: plan._Service, level: int, note: str | None) -> dict:
        urls, required = self.urls[service.id], self.required[level]
        return {"service_id": service.id, "level": level,
                **{f: (urls[f] if f in required else None) for f in EVIDENCE_FIELDS}, "note": note}

    def entries(self, rng: random.Random, agency: plan._Agency, index: int, year: int) -> dict[str, _Entries]:
        """The true entries of an agency for a period, a half-filled draft of them, and an
        overstated version (one level claimed too high, the documents all online)."""
        report = self.trajectories[agency.id].report(year)
        services = self.services_of.get(agency.id, [])
        statuses = [self.status(s, self.levels[s.id - 1][index],
                                rng.choice(words.NOTES) if rng.random() < words.NOTE_SHARE else None)
                    for s in services]
        overstated_statuses = list(statuses)
        below = [i for i, st in enumerate(statuses) if st["level"] < MAX_LEVEL]
        if below:
            i = rng.choice(below)
            overstated_statuses[i] = self.status(services[i], statuses[i]["level"] + 1, statuses[i]["note"])
        overstated_report = {**report, "documents_online": report["documents_total"]}
        return {"correct": _Entries(report, statuses),
                "partial": _Entries({f: (report[f] if f in words.PARTIAL_FIELDS else None) for f in REPORT_FIELDS},
                                    statuses),
                "overstate": _Entries(overstated_report, overstated_statuses)}

    def write_period(self, rng: random.Random, agencies: list[plan._Agency], index: int, year: int,
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
            history = _play(words.HISTORIES[name], self.entries(rng, agency, index, year), timeline)
            self.write_submission(agency, year, history)
            if agency.active:
                shown = "reopened" if history.state == State.draft.value and history.copies else history.state
                states[shown] += 1
        return states

    def write_submission(self, agency: plan._Agency, year: int, history: _History) -> None:
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

    The schema must exist (``registry init``); the shipped targets and indicators are added if missing.
    Raises Conflict when the database already holds agencies, services or periods.
    """
    check_sizes(services, agencies, periods)
    say = progress or (lambda _line: None)
    started = time.monotonic()
    years = [FIRST_YEAR + i for i in range(periods)]
    with engine.begin() as connection:
        refuse_non_empty(connection)
        with Session(bind=connection) as session:
            ensure_targets(session, Actor.system(SOURCE))
        writer = _BulkWriter(connection)
        synthesis = _Synthesis(writer, seed, years, say)
        latest_states = synthesis.run(agencies, services)
        _restart_sequences(connection, writer.TABLES)
        with Session(bind=connection) as session:
            ensure_indicators(session, Actor.system(SOURCE))
            for year in years[:-1]:
                close_period(session, Actor.system(SOURCE), session.get(ReportingPeriod, year))
                synthesis.log(Msg(N_("kỳ %(year)s: đã khóa và công bố"), year=year))
            audit.record(session, Actor.system(SOURCE), "synth.load", "registry", SOURCE,
                         after={"seed": seed, "services": services, "agencies": agencies, "periods": periods,
                                "years": [years[0], years[-1]], "rows": writer.written},
                         comment="Dữ liệu tổng hợp để đo hiệu năng, không phải dữ liệu thật")
            session.flush()
    if engine.dialect.name == "postgresql":
        # fresh statistics, as autovacuum would gather soon: benchmarks should not see a cold planner
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    synthesis.log(Msg(N_("đã ghi xong")))
    return Summary(seed, tuple(years), dict(writer.written), latest_states, round(time.monotonic() - started, 1))


def is_synthetic(session: Session) -> bool:
    """Whether the registry was made by ``synthesize`` (pages should say it is not real data)."""
    return session.exec(select(AuditEvent.id).where(AuditEvent.action == "synth.load").limit(1)).first() is not None
