"""Which version of each target (and of each province-wide indicator) a period is
judged by (rule 11, SPEC §3b).

The definition row is version 1; each version row replaces its wording, comparator,
threshold and deadline (a target's scope too) from its ``effective_from`` period
on. A period is judged by the latest version that has begun by then. Targets and
indicators are versioned the same way: ``Versioned`` holds the rule once, and each
kind says which fields a version carries and how a new value is read. No Flask here.
"""

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, select
from sqlmodel import Session

from registry.core.errors import N_
from registry.models import Target, TargetVersion

FIRST = (1, None)


@dataclass(frozen=True)
class Versioned:
    """A kind of definition that changes by version from a period on."""

    version_model: type
    parent: str  # the version's column naming its definition row ("target_id")
    fields: tuple[str, ...]  # what a version replaces
    entity: str  # the audit's entity ("target", "indicator")
    refused: str  # the message when a new version cannot be made

    def _parent_column(self):
        return getattr(self.version_model, self.parent)

    def in_force(self, session: Session, year: int, rows: list) -> tuple[list, dict[str, tuple]]:
        """``rows`` as judged in ``year`` (a detached copy of each one a later version
        replaces), and each one's (version number, effective_from) by code."""
        ids = [r.id for r in rows if r.id is not None]
        latest = {}
        if ids:
            for version in session.execute(
                    select(self.version_model).where(self._parent_column().in_(ids),
                                                     self.version_model.effective_from <= year)
                    .order_by(self._parent_column(), self.version_model.effective_from)).scalars():
                latest[getattr(version, self.parent)] = version
        judged, numbers = [], {}
        for row in rows:
            version = latest.get(row.id)
            if version is None:
                judged.append(row)
                numbers[row.code] = FIRST
                continue
            copy = type(row)(**{name: getattr(row, name) for name in type(row).model_fields})
            for name in self.fields:
                setattr(copy, name, getattr(version, name))
            judged.append(copy)
            numbers[row.code] = (version.number, version.effective_from)
        return judged, numbers

    def versions_of(self, session: Session, row) -> list[dict]:
        """Every version of ``row``, oldest first: {number, effective_from, **fields}."""
        rows = [{"number": 1, "effective_from": None, **{f: getattr(row, f) for f in self.fields}}]
        for version in session.execute(select(self.version_model).where(self._parent_column() == row.id)
                                       .order_by(self.version_model.number)).scalars():
            rows.append({"number": version.number, "effective_from": version.effective_from,
                         **{f: getattr(version, f) for f in self.fields}})
        return rows

    def next_number(self, session: Session, row) -> int:
        latest = session.execute(select(func.max(self.version_model.number))
                                 .where(self._parent_column() == row.id)).scalar()
        return (latest or 1) + 1

    def revise(self, session: Session, actor, row, values: dict, read_new: Callable) -> object:
        """A new version of ``row`` from the period ``values["effective_from"]`` on (rule 11,
        §8.11): refused for a closed period (re-open it instead), for a threshold or
        comparator change without new titles that state it, and when nothing changes.
        ``read_new(reader, current, given)`` reads the new values of the fields (the
        current version's where a field is not given), failing the bad ones on ``reader``."""
        from registry import audit
        from registry.core.errors import Conflict, Msg
        from registry.core.validation import FormReader
        from registry.models import PeriodStatus, ReportingPeriod

        f = FormReader(values)
        year = f.year("effective_from")
        current = self.in_force(session, year if year is not None else 2100, [row])[0][0]
        given = {name: values.get(name) not in (None, "") for name in self.fields}
        new = read_new(f, current, given)
        if year is not None:
            period = session.get(ReportingPeriod, year)
            if period is not None and period.status == PeriodStatus.closed.value:
                f.fail("effective_from", Msg(N_("kỳ %(year)s đã khóa; hãy mở lại để đính chính trước"), year=year))
            elif session.execute(select(self.version_model.id).where(
                    self._parent_column() == row.id, self.version_model.effective_from == year)).first():
                f.fail("effective_from", Msg(N_("đã có phiên bản áp dụng từ kỳ %(year)s"), year=year))
        if new["threshold"] != current.threshold or new["comparator"] != current.comparator:
            for name in ("title_vi", "title_en"):
                if not given[name] or new[name] == getattr(current, name):
                    f.fail(name, N_("đổi mức cần đạt thì phải có tên mới nêu đúng mức đó"))
        f.check(self.refused)
        if all(new[name] == getattr(current, name) for name in self.fields):
            raise Conflict(N_("Phiên bản mới không khác gì phiên bản đang áp dụng."))
        version = self.version_model(**{self.parent: row.id}, number=self.next_number(session, row),
                                     effective_from=year, **new)
        session.add(version)
        audit.record(session, actor, f"{self.entity}.revise", self.entity, row.code,
                     {name: getattr(current, name) for name in self.fields},
                     {"number": version.number, "effective_from": year, **new})
        session.flush()
        return version


def read_wording(f, current, given: dict, comparators) -> dict:
    """The new titles, citation, comparator and deadline: what is given read from ``f``
    (the bad ones failed on it), the rest as ``current`` has them."""
    return {
        "title_vi": f.text("title_vi", 1000) if given["title_vi"] else current.title_vi,
        "title_en": f.text("title_en", 1000) if given["title_en"] else current.title_en,
        "citation": f.text("citation", 1000) if given["citation"] else current.citation,
        "comparator": f.choice("comparator", comparators) if given["comparator"] else current.comparator,
        "deadline": f.year("deadline") if given["deadline"] else current.deadline,
    }


TARGETS = Versioned(TargetVersion, "target_id",
                    ("title_vi", "title_en", "citation", "comparator", "threshold", "deadline", "scope"),
                    "target", N_("Không tạo được phiên bản mới của chỉ tiêu."))
VERSIONED_FIELDS = TARGETS.fields


def in_force(session: Session, year: int, targets: list[Target]) -> tuple[list[Target], dict[str, tuple]]:
    """``targets`` as judged in ``year``, and each one's (version number, effective_from) by code."""
    return TARGETS.in_force(session, year, targets)


def versions_of(session: Session, target: Target) -> list[dict]:
    return TARGETS.versions_of(session, target)


# --- the administrator's operation ----------------------------------------------------------

def revise_target(session: Session, actor, target: Target, values: dict) -> TargetVersion:
    """A new version of ``target`` from the period ``values["effective_from"]`` on (rule 11)."""
    from registry.models import Comparator, Unit
    from registry.targets.definitions import same_scope, scope_errors

    def read_new(f, current, given):
        new = {
            **read_wording(f, current, given, [c.value for c in Comparator]),
            "threshold": f.integer("threshold", 0, 10**9) if given["threshold"] else current.threshold,
            "scope": f.text("scope", 255, required=False) if given["scope"] else current.scope,
        }
        if given["scope"] and new["scope"] and "scope" not in f.errors:
            problem = scope_errors(new["scope"])
            if problem:
                f.fail("scope", problem)
            elif same_scope(new["scope"], current.scope):
                new["scope"] = current.scope  # written otherwise, the same agencies
        if target.unit == Unit.percent.value and isinstance(new["threshold"], int) and new["threshold"] > 100:
            f.fail("threshold", N_("tỷ lệ không được lớn hơn 100"))
        return new

    return TARGETS.revise(session, actor, target, values, read_new)
