"""Each target's results over the periods, and whether its trend meets it by its deadline."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from registry.models import Comparator, ReportingPeriod, Target, Unit
from registry.targets.engine import active_targets, compute_targets
from registry.targets.results import TargetResult


@dataclass(frozen=True)
class Projection:
    """A straight line through the target's values over the periods with data."""

    points: int
    projected: float | None  # the line's value at the deadline
    will_meet: bool | None  # None: too few periods to draw a line
    deadline_passed: bool


def periods(session: Session) -> list[int]:
    return list(session.execute(select(ReportingPeriod.year).order_by(ReportingPeriod.year)).scalars())


def trend(session: Session, basis: str = "verified", years: list[int] | None = None) -> dict[str, list[TargetResult]]:
    """Each target's result for every period, oldest first: two queries a period."""
    years = periods(session) if years is None else years
    targets = active_targets(session)
    series: dict[str, list[TargetResult]] = {t.code: [] for t in targets}
    for year in years:
        for result in compute_targets(session, year, basis, targets):
            series[result.target.code].append(result)
    return series


def project(target: Target, history: list[TargetResult]) -> Projection:
    """Whether, on a linear trend over the closed periods with data, the target is met by its
    deadline (§8.8: a provisional figure is drawn, never projected); judged by the version
    in force at the deadline when the history reaches it."""
    final = [r for r in history if not r.provisional]
    target = next((r.target for r in final if r.period == target.deadline), target)
    points = [(r.period, float(r.value)) for r in final if r.value is not None and r.period <= target.deadline]
    at_deadline = next((r for r in final if r.period == target.deadline and r.value is not None), None)
    if at_deadline is not None:
        return Projection(len(points), float(at_deadline.value), at_deadline.met, True)
    if len(points) < 2:
        return Projection(len(points), None, None, False)
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    projected = mean_y + slope * (target.deadline - mean_x)
    if target.unit == Unit.percent.value:
        projected = min(100.0, max(0.0, projected))
    else:
        projected = max(0.0, projected)
    threshold = float(target.threshold)
    will_meet = projected > threshold if target.comparator == Comparator.more_than.value else projected >= threshold
    return Projection(n, round(projected, 1), will_meet, False)
