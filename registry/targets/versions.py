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
