"""Load agencies, services, levels and adoption reports from CSV or XLSX.

All rows or none: every row is parsed and checked first, each problem reported
by row number, column and reason; only a file without a single problem is
written. Rows whose code exists update that record; writing the same file
twice changes nothing the second time.

Size: a national catalogue (100 000 services) is one file. Existing records are
looked up from one query of their columns, not loaded as objects; new and
changed records are written in batches of BATCH_ROWS, each with its audit
event: new records and the events in multi-row INSERTs, without building an
object per row, so that memory stays bounded and the cost per row is small.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from registry import audit
from registry.audit import Actor
from registry.catalogue import validity
from registry.catalogue.levels import DEFAULT_SCALE, EVIDENCE_FIELDS, check_evidence, parse_level
from registry.catalogue.records import parent_depths
from registry.catalogue.validity import ValidityOfRows
from registry.core.errors import N_, Msg
from registry.core.validation import FieldReader, clean_text, parse_bool, parse_count, parse_url
from registry.dataio.tables import OUTSIDE_HEADER, ImportFileError, Row, read_table
from registry.models import (
    REPORT_FIELDS,
    STATUS_FIELDS,
    Agency,
    AuditEvent,
    Kind,
    PeriodStatus,
    ReportingPeriod,
    Service,
    State,
    Tier,
    name_keys,
)
from registry.submissions import workflow
from registry.submissions.rules import check_report, parse_report_value

# Report fields asked since version 2 of the specification, which historic files
# may leave out (SPEC §5): internet_connected then follows broadband_internet,
# and computer_staff_with_email is unknown.
LATER_REPORT_FIELDS = ("internet_connected", "computer_staff_with_email")
BATCH_ROWS = 2_000  # records written (and audited) per flush
SOURCE = "import"


@dataclass(frozen=True)
class FileFormat:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


FORMATS = {
    "agencies": FileFormat(("code", "name", "tier", "kind"), ("name_en", "parent_code", "active", "valid_from",
                                                              "valid_to")),
    "services": FileFormat(("code", "name", "agency_code", "sector"), ("name_en", "active", "procedure_code",
                                                                      "valid_from", "valid_to")),
    "levels": FileFormat(("service_code", "period", "level"), (*EVIDENCE_FIELDS, "note")),
    "reports": FileFormat(("agency_code", "period", *(f for f in REPORT_FIELDS if f not in LATER_REPORT_FIELDS)),
                          LATER_REPORT_FIELDS),
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"dòng {self.row}, cột {self.column}: {self.reason}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- checking ----------------------------------------------------------------

class _Checker(FieldReader):
    """Collects the errors of one row while its values are parsed."""

    def __init__(self, number: int, values: dict[str, Any], errors: list[RowError]):
        super().__init__(values)
        self.number, self.errors = number, errors
        self.failed = False

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.number, column, reason))
        self.failed = True

    def parse(self, column: str, parser, default=None):
        raw = self.values.get(column)
        if raw is None or (isinstance(raw, str) and not clean_text(raw)):
            return default
        try:
            return parser(raw)
        except ValueError as exc:
            self.fail(column, exc.args[0])
            return None

    def choice(self, column: str, choices) -> str | None:
        value = clean_text(self.values.get(column)).lower()
        allowed = [c.value for c in choices]
        if value not in allowed:
            self.fail(column, Msg(N_("phải là một trong: %(choices)s"), choices=", ".join(allowed)))
            return None
        return value

    def period(self, column: str = "period") -> int | None:
        if not clean_text(self.values.get(column)):
            self.fail(column, N_("bắt buộc"))
            return None
        year = self.parse(column, parse_count)
        if year is None:
            return None
        if not 2000 <= year <= 2100:
            self.fail(column, N_("năm phải trong khoảng 2000–2100"))
            return None
        return year

    def validity(self) -> dict:
        """``valid_from`` and ``valid_to`` (optional years, SPEC §2), in order."""
        bounds = {}
        for column in ("valid_from", "valid_to"):
            bounds[column] = self.period(column) if clean_text(self.values.get(column)) else None
        if None not in bounds.values() and bounds["valid_from"] > bounds["valid_to"]:
            self.fail("valid_to", N_("không được trước valid_from"))
        return bounds


def _check_header(kind: str, header: list[str]) -> list[RowError]:
    fmt = FORMATS[kind]
    errors = []
    seen = set()
    for name in header:
        if name and name in seen:  # cells left blank beside the table are not columns
            errors.append(RowError(1, name, N_("cột bị lặp")))
        seen.add(name)
        if name and name not in fmt.columns:
            errors.append(RowError(1, name, Msg(N_("cột không được hỗ trợ; các cột là: %(columns)s"),
                                                columns=", ".join(fmt.columns))))
    errors += [RowError(1, name, N_("thiếu cột bắt buộc")) for name in fmt.required if name not in seen]
    return errors


# The columns the checks and the writes compare, read as plain rows (no objects).
AGENCY_COLUMNS = ("id", "code", "name", "name_en", "tier", "kind", "parent_id", "active", "valid_from", "valid_to")
SERVICE_COLUMNS = ("id", "code", "name", "name_en", "agency_id", "sector", "active", "procedure_code", "valid_from",
                   "valid_to")


def _rows_by_code(session: Session, model, columns: tuple[str, ...]) -> dict[str, Any]:
    """code → a row of ``columns`` of every record of ``model``: one query."""
    statement = select(*[getattr(model, c) for c in columns])
    return {row.code: row for row in session.execute(statement)}


def _check_agencies(session, rows, errors):
    existing = _rows_by_code(session, Agency, AGENCY_COLUMNS)
    records, in_file = [], {}
    for number, values in rows:
        c = _Checker(number, values, errors)
        code = c.code("code")
        record = dict(
            code=code,
            name=c.text("name", 255),
            name_en=c.text("name_en", 255, required=False),
            tier=c.choice("tier", Tier),
            kind=c.choice("kind", Kind),
            parent_code=clean_text(values.get("parent_code")) or None,
            active=c.parse("active", parse_bool),
            **c.validity(),
        )
        if code in in_file:
            c.fail("code", Msg(N_("mã trùng với dòng %(row)s"), row=in_file[code]))
        elif code:
            in_file[code] = number
        if record["parent_code"] and record["parent_code"] == code:
            c.fail("parent_code", N_("cơ quan không thể là cấp trên của chính nó"))
        if not c.failed:
            records.append((number, record))
    known = set(existing) | set(in_file)
    for number, record in records:
        parent = record["parent_code"]
        if parent and parent not in known:
            errors.append(RowError(number, "parent_code", Msg(N_("không có cơ quan mã %(code)s"), code=parent)))
    _check_parent_cycles(existing, records, errors)
    _check_province_committee(existing, records, errors)
    return records


def _check_province_committee(existing: dict[str, Any], records, errors) -> None:
    """The province's people's committee is one agency (its office), never two (SPEC §2):
    no province-tier people's committee under another."""
    by_id = {a.id: a.code for a in existing.values()}
    rows = {code: (a.tier, a.kind, by_id.get(a.parent_id)) for code, a in existing.items()}
    rows.update({r["code"]: (r["tier"], r["kind"], r["parent_code"]) for _, r in records})

    def is_committee(code):
        return code in rows and rows[code][:2] == (Tier.province.value, Kind.people_committee.value)

    for number, r in records:
        code, parent = r["code"], r["parent_code"]
        if is_committee(code) and is_committee(parent):
            errors.append(RowError(number, "kind", Msg(
                N_("UBND tỉnh chỉ là một cơ quan (Văn phòng UBND tỉnh đại diện); đã có: %(codes)s"), codes=parent)))


def _check_parent_cycles(existing: dict[str, Any], records, errors) -> None:
    by_id = {a.id: a.code for a in existing.values()}
    parent_of = {code: by_id.get(a.parent_id) for code, a in existing.items()}
    parent_of.update({r["code"]: r["parent_code"] for _, r in records})
    for number, record in records:
        seen, code = set(), record["code"]
        while code is not None and code not in seen:
            seen.add(code)
            code = parent_of.get(code)
        if code is not None and code == record["code"]:
            errors.append(RowError(number, "parent_code", N_("quan hệ cấp trên tạo thành vòng lặp")))


def _check_services(session, rows, errors):
    agencies = _rows_by_code(session, Agency, ("id", "code"))
    records, in_file = [], {}
    for number, values in rows:
        c = _Checker(number, values, errors)
        code = c.code("code")
        agency_code = clean_text(values.get("agency_code"))
        record = dict(
            code=code,
            name=c.text("name", 500),
            name_en=c.text("name_en", 500, required=False),
            agency_code=agency_code,
            sector=c.text("sector", 128),
            active=c.parse("active", parse_bool),
            procedure_code=c.code("procedure_code") if clean_text(values.get("procedure_code")) else None,
            **c.validity(),
        )
        if not agency_code:
            c.fail("agency_code", N_("bắt buộc"))
        elif agency_code not in agencies:
            c.fail("agency_code", Msg(N_("không có cơ quan mã %(code)s"), code=agency_code))
        if code in in_file:
            c.fail("code", Msg(N_("mã trùng với dòng %(row)s"), row=in_file[code]))
        elif code:
            in_file[code] = number
        if not c.failed:
            records.append((number, record))
    return records


def _closed_years(session) -> set[int]:
    return set(session.execute(select(ReportingPeriod.year)
                               .where(ReportingPeriod.status == PeriodStatus.closed.value)).scalars())


def _scales_by_year(session) -> dict[int, str]:
    """Each existing period's online-level scale; a period the import creates takes the default."""
    return dict(session.execute(select(ReportingPeriod.year, ReportingPeriod.level_scale)).all())


def _refuse_closed(c: "_Checker", year: int | None, closed: set[int]) -> None:
    """Rows for a closed period are refused: it is re-opened for a correction first (rule 12)."""
    if year is not None and year in closed:
        c.fail("period", Msg(N_("kỳ %(year)s đã khóa; hãy mở lại kỳ để đính chính trước"), year=year))


def _check_levels(session, rows, errors):
    services = _rows_by_code(session, Service, ("id", "code", "agency_id", "active", "valid_from", "valid_to"))
    agencies = {a.id: a for a in _rows_by_code(session, Agency, ("id", "code", "active", "valid_from",
                                                                 "valid_to")).values()}
    closed = _closed_years(session)
    scales = _scales_by_year(session)
    records, in_file = [], {}
    for number, values in rows:
        c = _Checker(number, values, errors)
        service_code = clean_text(values.get("service_code"))
        service = services.get(service_code)
        if not service_code:
            c.fail("service_code", N_("bắt buộc"))
        elif service is None:
            c.fail("service_code", Msg(N_("không có dịch vụ mã %(code)s"), code=service_code))
        year = c.period()
        _refuse_closed(c, year, closed)
        if service is not None and year is not None and not (
                validity.is_valid(service, year) and validity.is_valid(agencies[service.agency_id], year)):
            c.fail("service_code", Msg(N_("dịch vụ %(code)s (hoặc cơ quan của nó) không tồn tại trong kỳ %(year)s"),
                                       code=service_code, year=year))
        # each row's level is read on its period's scale (catalogue/levels.py)
        scale = scales.get(year, DEFAULT_SCALE)
        level = c.parse("level", functools.partial(parse_level, scale=scale))
        if level is None and not any(e.row == number and e.column == "level" for e in errors):
            c.fail("level", N_("bắt buộc"))
        urls = {f: c.parse(f, parse_url) for f in EVIDENCE_FIELDS}
        note = c.text("note", 2000, required=False)
        if level is not None:
            for column, reason in check_evidence(level, urls, scale).items():
                if not any(e.row == number and e.column == column for e in errors):
                    c.fail(column, reason)
        key = (service_code, year)
        if service and year and key in in_file:
            c.fail("service_code", Msg(N_("trùng dịch vụ và kỳ với dòng %(row)s"), row=in_file[key]))
        elif service and year:
            in_file[key] = number
        if not c.failed:
            records.append((number, dict(service=service, period=year, level=level, note=note, **urls)))
    return records


def _check_reports(session, rows, errors):
    agencies = _rows_by_code(session, Agency, ("id", "code"))
    closed = _closed_years(session)
    records, in_file = [], {}
    for number, values in rows:
        c = _Checker(number, values, errors)
        agency_code = clean_text(values.get("agency_code"))
        agency = agencies.get(agency_code)
        if not agency_code:
            c.fail("agency_code", N_("bắt buộc"))
        elif agency is None:
            c.fail("agency_code", Msg(N_("không có cơ quan mã %(code)s"), code=agency_code))
        year = c.period()
        _refuse_closed(c, year, closed)
        report = {}
        for name in REPORT_FIELDS:
            value = c.parse(name, lambda v, n=name: parse_report_value(n, v))
            if value is None and name not in LATER_REPORT_FIELDS and not any(
                    e.row == number and e.column == name for e in errors):
                c.fail(name, N_("bắt buộc"))
            report[name] = value
        if report.get("internet_connected") is None and clean_text(values.get("internet_connected")) == "":
            report["internet_connected"] = report.get("broadband_internet")
        if not c.failed:
            for column, reason in check_report(report).items():
                c.fail(column, reason)
        key = (agency_code, year)
        if agency and year and key in in_file:
            c.fail("agency_code", Msg(N_("trùng cơ quan và kỳ với dòng %(row)s"), row=in_file[key]))
        elif agency and year:
            in_file[key] = number
        if not c.failed:
            records.append((number, dict(agency=agency, period=year, report=report)))
    return records


CHECKS = {"agencies": _check_agencies, "services": _check_services,
          "levels": _check_levels, "reports": _check_reports}


# --- writing -----------------------------------------------------------------

def _write(session, model, entity, rows, existing, actor, result) -> dict[str, int]:
    """Insert the records of ``rows`` [(code, values)] whose code is new and update
    those whose values differ from ``existing`` (code → row), each with its audit
    event, BATCH_ROWS at a time: new records and every event in multi-row INSERTs,
    changed records through the ORM (its mapper events keep their keys), let go of
    after each batch unless the session held them before. Returns code → id of the
    records created."""
    created = {}
    table = model.__table__
    for start in range(0, len(rows), BATCH_ROWS):
        chunk = rows[start:start + BATCH_ROWS]
        inserts, events, changes = [], [], {}
        for code, values in chunk:
            current = existing.get(code)
            if current is None:
                name_key, name_sort = name_keys(code, values["name"], values["name_en"])
                inserts.append({"code": code, **values, "name_key": name_key, "name_sort": name_sort})
                events.append(audit.event_row(actor, f"{entity}.create", entity, code, None, {"code": code, **values}))
                result.created += 1
                continue
            old, new = audit.changes({k: getattr(current, k) for k in values}, values)
            if new:
                changes[current.id] = new
                events.append(audit.event_row(actor, f"{entity}.update", entity, code, old, new))
                result.updated += 1
            else:
                result.unchanged += 1
        if changes:
            held = {i for i in changes if session.identity_key(model, i) in session.identity_map}
            records = session.execute(select(model).where(model.id.in_(list(changes)))).scalars().all()
            for record in records:
                for k, v in changes[record.id].items():
                    setattr(record, k, v)
            session.flush()
            for record in records:
                if record.id not in held:
                    session.expunge(record)
        if inserts:
            returned = session.execute(insert(table).returning(table.c.code, table.c.id), inserts)
            created.update((code, id_) for code, id_ in returned)
        if events:
            session.execute(insert(AuditEvent.__table__), events)
    return created


def _apply_agencies(session, records, actor, result, as_verified):
    existing = _rows_by_code(session, Agency, AGENCY_COLUMNS)
    ids = {code: row.id for code, row in existing.items()}
    depths = parent_depths(records)
    bounds = ValidityOfRows(session)
    for level in range(max(depths.values(), default=-1) + 1):
        rows = []
        for _, r in records:
            if depths[r["code"]] != level:
                continue
            current = existing.get(r["code"])
            active = r["active"] if r["active"] is not None else (current.active if current else True)
            rows.append((r["code"], dict(name=r["name"], name_en=r["name_en"], tier=r["tier"], kind=r["kind"],
                                         parent_id=ids[r["parent_code"]] if r["parent_code"] else None,
                                         active=active, **bounds(r, current, active))))
        ids.update(_write(session, Agency, "agency", rows, existing, actor, result))


def _apply_services(session, records, actor, result, as_verified):
    existing = _rows_by_code(session, Service, SERVICE_COLUMNS)
    agencies = {code: row.id for code, row in _rows_by_code(session, Agency, ("id", "code")).items()}
    rows = []
    bounds = ValidityOfRows(session)
    for _, r in records:
        current = existing.get(r["code"])
        active = r["active"] if r["active"] is not None else (current.active if current else True)
        # a procedure left out keeps the service's, or makes a new service its own procedure
        procedure = r["procedure_code"] or (current.procedure_code if current else r["code"])
        rows.append((r["code"], dict(name=r["name"], name_en=r["name_en"], agency_id=agencies[r["agency_code"]],
                                     sector=r["sector"], active=active, procedure_code=procedure,
                                     **bounds(r, current, active))))
    _write(session, Service, "service", rows, existing, actor, result)


def _apply_to_submissions(session, groups, actor, result, as_verified):
    target = State.verified.value if as_verified else State.submitted.value
    for (agency_id, year), (report, services) in groups.items():
        agency = session.get(Agency, agency_id)
        submission = workflow.ensure_submission(session, agency, year, actor)
        changed = workflow.write_entries(session, submission, actor, report, services)
        if changed or submission.state in workflow.EDITABLE_STATES or (
                as_verified and submission.state != State.verified.value):
            workflow.force_state(session, submission, actor, target)
        count = len(services or {}) + (1 if report else 0)
        if changed:
            result.updated += count
        else:
            result.unchanged += count


def _apply_levels(session, records, actor, result, as_verified):
    groups = defaultdict(lambda: (None, {}))
    for _, r in records:
        service = r["service"]
        groups[(service.agency_id, r["period"])][1][service.id] = {
            k: r[k] for k in STATUS_FIELDS}
    _apply_to_submissions(session, groups, actor, result, as_verified)


def _apply_reports(session, records, actor, result, as_verified):
    groups = {(r["agency"].id, r["period"]): (r["report"], None) for _, r in records}
    _apply_to_submissions(session, groups, actor, result, as_verified)


APPLY = {"agencies": _apply_agencies, "services": _apply_services,
         "levels": _apply_levels, "reports": _apply_reports}


def import_table(session: Session, actor: Actor, kind: str, header: list[str], rows: list[Row],
                 as_verified: bool = False) -> ImportResult:
    """Check every row; write them all only if none has a problem. Flushes, never commits.
    Every change is audited as the actor's, through the importer."""
    actor = actor.via(SOURCE)
    if kind not in FORMATS:
        raise ImportFileError(N_("Loại dữ liệu không hợp lệ: %(kind)s"), kind=kind)
    result = ImportResult(kind=kind, rows=len(rows))
    result.errors = _check_header(kind, header)
    if result.errors:
        return result
    for number, values in rows:
        if OUTSIDE_HEADER in values:
            result.errors.append(RowError(number, "-", values[OUTSIDE_HEADER]))
    good_rows = [(n, v) for n, v in rows if OUTSIDE_HEADER not in v]
    records = CHECKS[kind](session, good_rows, result.errors)
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, FORMATS[kind].columns.index(e.column)
                                          if e.column in FORMATS[kind].columns else -1))
        return result
    APPLY[kind](session, records, actor, result, as_verified)
    audit.record(session, actor, f"import.{kind}", "import", kind,
                 after={"rows": result.rows, "created": result.created, "updated": result.updated,
                        "unchanged": result.unchanged, "as_verified": as_verified})
    session.flush()
    return result


def import_file(session: Session, actor: Actor, kind: str, filename: str, data: bytes,
                as_verified: bool = False) -> ImportResult:
    header, rows = read_table(filename, data)
    return import_table(session, actor, kind, header, rows, as_verified)
