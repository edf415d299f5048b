"""Factories for every record the tests need, written through the registry's own operations.

A test says what matters to it and takes the rest from here: a new report field,
level or state changes this file, not the tests. ``Factory`` works on one session
and commits after each record, as a separate request would.

    make = Factory(db)
    agency = make.agency(kind="school")
    service = make.service(agency)
    submission = make.submission(agency, 2015, state="verified", levels={service.id: 2})
    make.revise(submission, "submitted", report={"staff_total": 41})  # reopened, corrected, sent again

Operations take an Actor: ``TEST_ACTOR`` when who acted does not matter, ``as_actor(user)``
when it does.
"""

from itertools import count

from sqlmodel import Session

from registry.accounts import users
from registry.audit import Actor
from registry.catalogue.levels import required_evidence
from registry.models import REPORT_FIELDS, Agency, PeriodStatus, ReportingPeriod, Service, State, Submission, User
from registry.submissions import periods, workflow

PASSWORD = "correct horse battery"  # every factory-made user's
TEST_ACTOR = Actor.system("test")  # who acts when a test does not say

# A complete, valid adoption report: every field known, each part a share of its whole.
FULL_REPORT = dict(has_lan=True, wan_connected=True, broadband_internet=True, internet_connected=True,
                   official_email=True, staff_total=40, staff_with_computer=38, staff_with_email=30,
                   computer_staff_with_email=29, documents_total=1000,
                   documents_online=900, exchanges_online=True, legal_docs_online=True,
                   specialised_database=False)
assert set(FULL_REPORT) == set(REPORT_FIELDS)  # a new report field is added here


def full_report(**overrides) -> dict:
    """FULL_REPORT with ``overrides``; unless given, computer_staff_with_email is kept
    within the staff figures given (a part of both)."""
    report = {**FULL_REPORT, **overrides}
    if "computer_staff_with_email" not in overrides and None not in (
            report["staff_with_computer"], report["staff_with_email"]):
        report["computer_staff_with_email"] = min(report["computer_staff_with_email"],
                                                  report["staff_with_computer"], report["staff_with_email"])
    return report


EVIDENCE_HOST = "https://dvc.dienbien.example"


def evidence(level: int, code: str = "svc", host: str = EVIDENCE_HOST) -> dict:
    """The evidence links a status at ``level`` needs, and no more: ``<host>/<code>/<field>``."""
    return {field: f"{host}/{code}/{field}" for field in required_evidence(level)}


def status(level: int, code: str = "svc", host: str = EVIDENCE_HOST, **values) -> dict:
    """A service status at ``level`` with exactly the evidence that level needs."""
    return {"level": level, **evidence(level, code, host), **values}


def as_actor(who, source: str = "test") -> Actor:
    """An Actor from a user, an Actor, or None (the system)."""
    if isinstance(who, Actor):
        return who
    return Actor(who, source) if who is not None else TEST_ACTOR


class Factory:
    def __init__(self, session: Session):
        self.session = session
        self._numbers = count(1)

    def _next(self) -> int:
        return next(self._numbers)

    def agency(self, code=None, tier="province", kind="department", parent=None, active=True, name=None,
               **columns) -> Agency:
        n = self._next()
        agency = Agency(code=code or f"agency-{n}", name=name or f"Cơ quan {n}", tier=tier, kind=kind,
                        parent_id=parent.id if parent else None, active=active, **columns)
        self.session.add(agency)
        self.session.commit()
        return agency

    def service(self, agency=None, code=None, sector="Hộ tịch", active=True, name=None, **columns) -> Service:
        n = self._next()
        service = Service(code=code or f"svc-{n}", name=name or f"Thủ tục {n}",
                          agency_id=(agency or self.agency()).id, sector=sector, active=active, **columns)
        self.session.add(service)
        self.session.commit()
        return service

    def user(self, role="focal", agency=None, email=None, password=PASSWORD) -> User:
        n = self._next()
        user = users.create_user(self.session, TEST_ACTOR, {
            "email": email or f"user{n}@example.vn", "password": password, "role": role,
            "agency_code": agency.code if agency else None})
        self.session.commit()
        return user

    def period(self, year: int, status: str = PeriodStatus.open.value) -> ReportingPeriod:
        period = periods.ensure_period(self.session, year, TEST_ACTOR)
        period.status = status
        self.session.commit()
        return period

    def submission(self, agency, year: int, state: str = State.verified.value, report: dict | None = None,
                   levels: dict | None = None, services: dict | None = None, focal=None,
                   auditor=None) -> Submission:
        """``agency``'s submission of ``year`` in ``state`` (draft, submitted, returned or
        verified), with ``report`` (default: FULL_REPORT; {} for none), ``levels``
        ({service id: level}, each with the evidence its level needs) and ``services``
        ({service id: status values}, for statuses a test spells out), written through
        the workflow as its focal point and auditor would."""
        focal = as_actor(focal)
        submission = workflow.ensure_submission(self.session, agency, year, focal)
        self._write(submission, focal, FULL_REPORT if report is None else report, levels, services)
        return self._advance(submission, state, focal, auditor)

    def revise(self, submission: Submission, state: str = State.draft.value, report: dict | None = None,
               levels: dict | None = None, services: dict | None = None, focal=None, auditor=None,
               reason: str = "Sửa số liệu") -> Submission:
        """Reopen verified ``submission``, change ``report`` (any of its fields), ``levels``
        and ``services`` as ``submission`` takes them, then take it to ``state`` (draft:
        leave it reopened)."""
        focal = as_actor(focal)
        workflow.reopen(self.session, submission, as_actor(auditor), reason)
        self._write(submission, focal, report, levels, services)
        return self._advance(submission, state, focal, auditor)

    def _write(self, submission: Submission, focal, report: dict | None, levels: dict | None,
               services: dict | None) -> None:
        statuses = {sid: status(level, self.session.get(Service, sid).code) for sid, level in (levels or {}).items()}
        workflow.write_entries(self.session, submission, focal, report, {**statuses, **(services or {})})

    def _advance(self, submission: Submission, state: str, focal, auditor) -> Submission:
        if state in (State.submitted.value, State.returned.value, State.verified.value):
            workflow.submit(self.session, submission, as_actor(focal))
        if state == State.verified.value:
            workflow.verify(self.session, submission, as_actor(auditor))
        elif state == State.returned.value:
            workflow.return_(self.session, submission, as_actor(auditor), "Thiếu minh chứng")
        self.session.commit()
        return submission
