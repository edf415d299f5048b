"""Reading a submission as its editors and reviewers see it, and parsing their edits.

One parser serves the form page and the JSON API, so a value is judged the
same way whichever door it comes through.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from registry.audit import Actor
from registry.catalogue.levels import EVIDENCE_FIELDS, check_evidence, parse_level
from registry.core.errors import N_, Conflict, Msg, NotFound, ValidationFailed
from registry.core.validation import clean_text, parse_url
from registry.models import (
    REPORT_FIELDS,
    Agency,
    AuditEvent,
    PeriodStatus,
    ReportingPeriod,
    Service,
    State,
    Submission,
)
from registry.submissions import versions, workflow
from registry.submissions.rules import check_report, parse_report_value

STATUS_TEXT_FIELDS = (*EVIDENCE_FIELDS, "note")
MAX_NOTE = 2000


READ_ONLY_CLOSED = N_("Kỳ báo cáo %(year)s đã khóa: số liệu của kỳ đã được công bố nên không thể sửa hay gửi lại. "
                      "Nếu cần đính chính, hãy liên hệ chuyên viên thẩm định.")
READ_ONLY_STATES = {
    State.submitted.value: N_("Báo cáo đã được gửi và đang chờ chuyên viên thẩm định xác minh, nên chưa sửa "
                              "được. Nếu báo cáo bị trả lại, bạn sẽ sửa được và gửi lại."),
    State.verified.value: N_("Báo cáo đã được xác minh và được tính trong kết quả công bố, nên không sửa được. Muốn "
                             "đính chính, hãy đề nghị chuyên viên thẩm định mở lại báo cáo (kèm lý do)."),
}


@dataclass
class ServiceEntry:
    service: Service
    level: int = 0
    info_url: str | None = None
    form_url: str | None = None
    submission_url: str | None = None
    payment_url: str | None = None
    note: str | None = None

    def values(self) -> dict:
        return {"level": self.level, "info_url": self.info_url, "form_url": self.form_url,
                "submission_url": self.submission_url, "payment_url": self.payment_url, "note": self.note}


@dataclass
class Entries:
    agency: Agency
    period: ReportingPeriod
    submission: Submission | None
    report: dict
    services: list[ServiceEntry]
    comments: list[AuditEvent] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.submission.state if self.submission else State.draft.value

    @property
    def version(self) -> int:
        return self.submission.version if self.submission else 0

    @property
    def editable(self) -> bool:
        return workflow.refusal("edit", self.period, self.state) is None

    def read_only_reason(self, refusal: Msg | None = None) -> Msg | None:
        """Why the focal point cannot change these entries now, in words about the report
        (the period is closed, it waits for the auditors, it was verified); ``refusal``
        (the workflow's own reason) when none of these says it."""
        if self.period.status == PeriodStatus.closed.value:
            return Msg(READ_ONLY_CLOSED, year=self.period.year)
        if self.period.status == PeriodStatus.open.value and self.state in READ_ONLY_STATES:
            return Msg(READ_ONLY_STATES[self.state])
        return refusal

    def as_document(self) -> dict:
        """The API's submission document (SPEC §5)."""
        return {
            "agency": self.agency.code,
            "period": self.period.year,
            "state": self.state,
            "version": self.version,
            "report": dict(self.report),
            "services": [{"code": e.service.code, **e.values()} for e in self.services],
        }


def agency_by_code(session: Session, code: str) -> Agency:
    agency = session.exec(select(Agency).where(Agency.code == code)).first()
    if agency is None:
        raise NotFound(N_("Không có cơ quan mã %(code)s."), code=code)
    return agency


def agency_services(session: Session, agency: Agency) -> list[Service]:
    return list(session.exec(select(Service).where(Service.agency_id == agency.id, Service.active)
                             .order_by(Service.code)))


def load_entries(session: Session, agency: Agency, year: int) -> Entries:
    """The agency's entries for ``year``: its current figures, or an empty draft in
    an open period where it has none yet. 404 when there is nothing to show."""
    period = session.get(ReportingPeriod, year)
    submission = workflow.find_submission(session, agency, year) if period else None
    if period is None or (submission is None and period.status != PeriodStatus.open.value):
        raise NotFound(N_("Không có báo cáo của cơ quan này cho kỳ %(year)s."), year=year)
    services = agency_services(session, agency)
    statuses = workflow.statuses_of(session, submission) if submission else {}
    entries = [ServiceEntry(s, **workflow.status_values(statuses[s.id])) if s.id in statuses else ServiceEntry(s)
               for s in services]
    report = workflow.report_values(submission) if submission else {f: None for f in REPORT_FIELDS}
    comments = []
    if submission is not None:
        comments = list(session.exec(
            select(AuditEvent).where(AuditEvent.entity == "submission",
                                     AuditEvent.entity_key == workflow.submission_key(agency, year),
                                     AuditEvent.comment.is_not(None))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))
    return Entries(agency, period, submission, report, entries, comments)


def parse_edits(session: Session, agency: Agency, raw_report: dict | None, raw_services: list[dict] | None,
                scale: str | None = None) -> tuple[dict, dict[int, dict], dict[str, str]]:
    """Parse submitted values (form strings or JSON values) into typed edits.

    ``raw_report`` maps report fields to values; ``raw_services`` is a list of
    ``{"code": …, "level": …, "info_url": …, …}`` with any subset of the status
    fields. Returns the edits that parsed and every problem, by field
    (``staff_total``, ``<service code>.info_url``).
    """
    errors: dict[str, str] = {}
    report: dict = {}
    if raw_report is not None and not isinstance(raw_report, dict):
        raise ValidationFailed(N_("Dữ liệu gửi lên không hợp lệ."), fields={"report": N_("phải là một đối tượng")})
    for name, value in (raw_report or {}).items():
        if name not in REPORT_FIELDS:
            errors[str(name)[:64]] = N_("trường không được hỗ trợ")
            continue
        try:
            report[name] = parse_report_value(name, value)
        except ValueError as exc:
            errors[name] = exc.args[0]
    if not errors:
        errors.update(check_report(report))

    services: dict[int, dict] = {}
    if raw_services is not None and not isinstance(raw_services, list):
        raise ValidationFailed(N_("Dữ liệu gửi lên không hợp lệ."), fields={"services": N_("phải là một danh sách")})
    by_code = {s.code: s for s in agency_services(session, agency)}
    for item in raw_services or []:
        if not isinstance(item, dict):
            errors["services"] = N_("mỗi dịch vụ phải là một đối tượng")
            continue
        code = clean_text(item.get("code"))
        service = by_code.get(code)
        if service is None:
            errors[f"{code[:64]}.code"] = Msg(N_("cơ quan không có dịch vụ đang hoạt động mã %(code)s"), code=code[:64])
            continue
        if service.id in services:
            errors[f"{code}.code"] = N_("dịch vụ bị lặp")
            continue
        values = {}
        for name, value in item.items():
            if name == "code":
                continue
            try:
                if name == "level":
                    values["level"] = parse_level(value, scale)
                elif name in EVIDENCE_FIELDS:
                    values[name] = parse_url(value)
                elif name == "note":
                    note = clean_text(value) or None
                    if note and len(note) > MAX_NOTE:
                        raise ValueError(Msg(N_("dài quá %(max)s ký tự"), max=MAX_NOTE))
                    values["note"] = note
                else:
                    errors[f"{code}.{str(name)[:64]}"] = N_("trường không được hỗ trợ")
            except ValueError as exc:
                errors[f"{code}.{name}"] = exc.args[0]
        services[service.id] = values
    return report, services, errors


def evidence_errors(session: Session, submission: Submission | None, services: dict[int, dict],
                    codes: dict[int, str], scale: str | None = None) -> dict[str, str]:
    """Evidence missing for the levels the edits would leave (checked before writing,
    so that every service's problem is shown at once)."""
    current = workflow.statuses_of(session, submission) if submission else {}
    errors = {}
    for service_id, values in services.items():
        merged = {**(workflow.status_values(current[service_id]) if service_id in current else {}), **values}
        for name, message in check_evidence(merged.get("level") or 0, merged, scale).items():
            errors[f"{codes[service_id]}.{name}"] = message
    return errors


class EditConflict(Conflict):
    """Both editors changed some fields to different values: nothing was written. ``conflicts``
    lists them (the API's error carries them), ``kept`` the keys of the editor's other
    changes, which would have merged cleanly."""

    def __init__(self, conflicts: list[versions.FieldConflict], kept: set[str], current: int):
        super().__init__(N_("Người khác đã lưu báo cáo trong lúc bạn sửa; %(count)s mục cả hai cùng sửa thành giá "
                            "trị khác nhau. Chưa lưu gì: hãy chọn giữ giá trị nào cho từng mục."),
                         fields={c.field: N_("người khác đã sửa mục này thành giá trị khác") for c in conflicts},
                         extra={"conflicts": [c.as_dict() for c in conflicts], "version": current},
                         count=len(conflicts))
        self.conflicts = conflicts
        self.kept = kept
        self.current = current


def save(session: Session, agency: Agency, year: int, actor: Actor, version: int | None, raw_report: dict | None,
         raw_services: list[dict] | None) -> Submission:
    """Parse and save a focal point's edits into the agency's draft for ``year``, made from
    the ``version`` the editor read (None: whatever is stored now).

    What is saved is what the editor changed since that version; another editor's changes
    since are kept, and a field both changed differently is an EditConflict (SPEC §8.4).
    """
    period = session.get(ReportingPeriod, year)
    if period is None:
        raise NotFound(N_("Không có kỳ báo cáo %(year)s."), year=year)
    # levels are read on the period's scale (catalogue/levels.py)
    report, services, errors = parse_edits(session, agency, raw_report, raw_services, period.level_scale)
    submission = workflow.find_submission(session, agency, year)
    current = workflow.lock_version(submission)
    if version is not None and not 0 <= version <= current:
        raise Conflict(workflow.STALE_VERSION, current=current, read=version)
    workflow.check_editable(session, year, submission)
    codes = {s.id: s.code for s in agency_services(session, agency)}
    failed = {key.rsplit(".", 1)[0] for key in errors}
    parsed = {sid: v for sid, v in services.items() if codes[sid] not in failed}
    now = versions.current_values(session, submission)
    base = now if version is None or version == current else versions.values_at(session, submission, version)
    merged = versions.merge(base, now, report, parsed, codes)
    errors.update(evidence_errors(session, submission, merged.services, codes, period.level_scale))
    if errors:
        raise ValidationFailed(N_("Có %(count)s giá trị chưa hợp lệ; chưa lưu gì."), fields=errors, count=len(errors))
    if merged.conflicts:
        raise EditConflict(merged.conflicts, merged.kept, current)
    if submission is None:
        # never ensure_submission here: a draft another editor created since the read must
        # be a conflict, not a draft this save writes over
        submission = workflow.create_submission(session, agency, year, actor)
    workflow.write_entries(session, submission, actor, merged.report, merged.services)
    return submission
