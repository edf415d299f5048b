"""The saved versions of a submission's entries, and the merge of a save made from an
older version (SPEC §8.4): no edit is lost and none is written over silently.

Every save records what it changed (``SubmissionChange``), so the entries as they
were at any later version can be told by undoing the saves since. A save names the
version its editor read; what it changes is what it sends that differs from that
version. A field the editor did not change keeps whatever is stored now (another
editor's change included); a field only the editor changed takes the editor's
value; a field both changed, to different values, is a conflict, and then nothing
is written until the editor chooses.

No Flask here.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from registry.models import REPORT_FIELDS, STATUS_FIELDS, ServiceStatus, Submission, SubmissionChange

# A service the submission states nothing for is level 0 with no evidence (SPEC §8.3).
DEFAULT_STATUS = {**{f: None for f in STATUS_FIELDS}, "level": 0}
UNKNOWN = object()  # the value at the version read, when that version's entries are not kept


@dataclass(frozen=True)
class FieldConflict:
    """A field both editors changed to different values since ``base``."""

    field: str  # "report.staff_total", "services.1.001.level"
    base: Any
    theirs: Any
    yours: Any

    def as_dict(self) -> dict:
        return {"field": self.field, "base": None if self.base is UNKNOWN else self.base,
                "theirs": self.theirs, "yours": self.yours}


@dataclass
class Merged:
    """What a save will write, the conflicts that stop it, and the keys of the editor's
    own changes that merge cleanly (a page keeps them in the form beside a conflict)."""

    report: dict
    services: dict[int, dict]
    conflicts: list[FieldConflict]
    kept: set[str]


def report_key(name: str) -> str:
    return f"report.{name}"


def service_key(code: str, name: str) -> str:
    return f"services.{code}.{name}"


def split_key(key: str) -> tuple[str, str | None, str]:
    """("report", None, field) or ("services", code, field) of a conflict's key."""
    if key.startswith("report."):
        return "report", None, key[len("report."):]
    rest = key[len("services."):] if key.startswith("services.") else key
    code, _, name = rest.rpartition(".")
    return "services", code, name


def _status(values: dict | None) -> dict:
    status = {**DEFAULT_STATUS, **(values or {})}
    if status["level"] is None:
        status["level"] = 0
    return status


def current_values(session: Session, submission: Submission | None) -> tuple[dict, dict[int, dict]]:
    """The report and every stated service status as stored now (empty before the first save)."""
    if submission is None:
        return {f: None for f in REPORT_FIELDS}, {}
    report = {f: getattr(submission, f) for f in REPORT_FIELDS}
    rows = session.exec(select(ServiceStatus).where(ServiceStatus.submission_id == submission.id))
    return report, {s.service_id: _status({f: getattr(s, f) for f in STATUS_FIELDS}) for s in rows}


def record(session: Session, submission: Submission, report: dict[str, tuple], services: dict[int, dict]) -> None:
    """Keep what the save that made ``submission.version`` changed: ``report`` maps a
    field to (before, after), ``services`` a service id to such a map."""
    changes = {"report": {f: list(pair) for f, pair in report.items()},
               "services": {str(sid): {f: list(pair) for f, pair in fields.items()}
                            for sid, fields in services.items() if fields}}
    session.add(SubmissionChange(submission_id=submission.id, version=submission.version, changes=changes))


def values_at(session: Session, submission: Submission | None, version: int) -> tuple[dict, dict[int, dict]] | None:
    """The report and service statuses as they were at ``version`` (0: before the submission
    existed), or None when that version's entries are no longer known."""
    report, services = current_values(session, submission)
    if submission is None or version >= submission.version:
        return report, services
    later = session.exec(select(SubmissionChange).where(SubmissionChange.submission_id == submission.id,
                                                        SubmissionChange.version > version)
                         .order_by(SubmissionChange.version.desc())).all()
    for row in later:
        if row.changes is None:
            return None  # the submission's saves are kept from a later version on
        for name, (before, _after) in row.changes.get("report", {}).items():
            report[name] = before
        for sid, fields in row.changes.get("services", {}).items():
            status = services.setdefault(int(sid), dict(DEFAULT_STATUS))
            for name, (before, _after) in fields.items():
                status[name] = before
    return report, {sid: _status(values) for sid, values in services.items()}


def merge(base: tuple[dict, dict[int, dict]] | None, current: tuple[dict, dict[int, dict]],
          report: dict, services: dict[int, dict], codes: dict[int, str]) -> Merged:
    """The save of ``report`` and ``services`` (parsed edits, any subset of fields) made from
    ``base`` (the entries at the version read; None when unknown) onto ``current``."""
    base_report, base_services = base if base is not None else ({}, {})
    now_report, now_services = current
    merged = Merged({}, {}, [], set())

    def one(key, yours, theirs, was):
        if base is None:
            was = UNKNOWN
        if yours == theirs:
            return False  # nothing to write (both the same, or nothing changed)
        if was is not UNKNOWN and yours == was:
            return False  # the editor did not change it: the stored value stays
        if was is UNKNOWN or theirs != was:
            merged.conflicts.append(FieldConflict(key, was, theirs, yours))
            return False
        merged.kept.add(key)
        return True

    for name, yours in report.items():
        if one(report_key(name), yours, now_report.get(name), base_report.get(name)):
            merged.report[name] = yours
    for sid, fields in services.items():
        theirs, was = _status(now_services.get(sid)), _status(base_services.get(sid))
        for name, yours in fields.items():
            if one(service_key(codes[sid], name), yours, theirs.get(name), was.get(name)):
                merged.services.setdefault(sid, {})[name] = yours
    return merged
