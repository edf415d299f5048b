"""Which version of each target a period is judged by (rule 11).

The target row is version 1; each ``TargetVersion`` replaces its wording, scope,
comparator, threshold and deadline from its ``effective_from`` period on. A
period is judged by the latest version that has begun by then. No Flask here.
"""

from sqlalchemy import func, select
from sqlmodel import Session

from registry.models import Target, TargetVersion

VERSIONED_FIELDS = ("title_vi", "title_en", "citation", "comparator", "threshold", "deadline", "scope")
FIRST = (1, None)


def in_force(session: Session, year: int, targets: list[Target]) -> tuple[list[Target], dict[str, tuple]]:
    """``targets`` as judged in ``year`` (a detached copy for each one a later version
    replaces), and each one's (version number, effective_from) by code."""
    ids = [t.id for t in targets if t.id is not None]
    latest: dict[int, TargetVersion] = {}
    if ids:
        for version in session.execute(
                select(TargetVersion).where(TargetVersion.target_id.in_(ids), TargetVersion.effective_from <= year)
                .order_by(TargetVersion.target_id, TargetVersion.effective_from)).scalars():
            latest[version.target_id] = version
    judged, numbers = [], {}
    for target in targets:
        version = latest.get(target.id)
        if version is None:
            judged.append(target)
            numbers[target.code] = FIRST
            continue
        copy = Target(**{name: getattr(target, name) for name in Target.model_fields})
        for name in VERSIONED_FIELDS:
            setattr(copy, name, getattr(version, name))
        judged.append(copy)
        numbers[target.code] = (version.number, version.effective_from)
    return judged, numbers


def versions_of(session: Session, target: Target) -> list[dict]:
    """Every version of ``target``, oldest first: {number, effective_from, **fields}."""
    rows = [{"number": 1, "effective_from": None, **{f: getattr(target, f) for f in VERSIONED_FIELDS}}]
    for version in session.execute(select(TargetVersion).where(TargetVersion.target_id == target.id)
                                   .order_by(TargetVersion.number)).scalars():
        rows.append({"number": version.number, "effective_from": version.effective_from,
                     **{f: getattr(version, f) for f in VERSIONED_FIELDS}})
    return rows


def next_number(session: Session, target: Target) -> int:
    latest = session.execute(select(func.max(TargetVersion.number))
                             .where(TargetVersion.target_id == target.id)).scalar()
    return (latest or 1) + 1


# --- the administrator's operation ----------------------------------------------------------

def revise_target(session: Session, actor, target: Target, values: dict) -> TargetVersion:
    """A new version of ``target`` from the period ``values["effective_from"]`` on (rule 11,
    §8.11): refused for a closed period (re-open it instead), for a threshold or comparator
    change without new titles that state it, and when nothing changes."""
    from registry import audit
    from registry.core.errors import N_, Conflict, Msg
    from registry.core.validation import FormReader
    from registry.models import Comparator, PeriodStatus, ReportingPeriod, Unit
    from registry.targets.definitions import same_scope, scope_errors

    f = FormReader(values)
    year = f.year("effective_from")
    current_list, _numbers = in_force(session, year if year is not None else 2100, [target])
    current = current_list[0]
    given = {name: values.get(name) not in (None, "") for name in VERSIONED_FIELDS}
    new = {
        "title_vi": f.text("title_vi", 1000) if given["title_vi"] else current.title_vi,
        "title_en": f.text("title_en", 1000) if given["title_en"] else current.title_en,
        "citation": f.text("citation", 1000) if given["citation"] else current.citation,
        "comparator": (f.choice("comparator", [c.value for c in Comparator]) if given["comparator"]
                       else current.comparator),
        "threshold": f.integer("threshold", 0, 10**9) if given["threshold"] else current.threshold,
        "deadline": f.year("deadline") if given["deadline"] else current.deadline,
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
    if year is not None:
        period = session.get(ReportingPeriod, year)
        if period is not None and period.status == PeriodStatus.closed.value:
            f.fail("effective_from", Msg(N_("kỳ %(year)s đã khóa; hãy mở lại để đính chính trước"), year=year))
        elif session.execute(select(TargetVersion.id).where(TargetVersion.target_id == target.id,
                                                            TargetVersion.effective_from == year)).first():
            f.fail("effective_from", Msg(N_("đã có phiên bản áp dụng từ kỳ %(year)s"), year=year))
    verdict_changed = (new["threshold"] != current.threshold or new["comparator"] != current.comparator)
    if verdict_changed:
        for name in ("title_vi", "title_en"):
            if not given[name] or new[name] == getattr(current, name):
                f.fail(name, N_("đổi mức cần đạt thì phải có tên mới nêu đúng mức đó"))
    f.check(N_("Không tạo được phiên bản mới của chỉ tiêu."))
    if all(new[name] == getattr(current, name) for name in VERSIONED_FIELDS):
        raise Conflict(N_("Phiên bản mới không khác gì phiên bản đang áp dụng."))
    version = TargetVersion(target_id=target.id, number=next_number(session, target), effective_from=year, **new)
    session.add(version)
    audit.record(session, actor, "target.revise", "target", target.code,
                 {name: getattr(current, name) for name in VERSIONED_FIELDS},
                 {"number": version.number, "effective_from": year, **new})
    session.flush()
    return version
