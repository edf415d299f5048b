"""Geometry of the small trend charts on the public page (drawn as SVG by the templates).

No JavaScript and no outside service: the server computes the points, the
template draws them, and a table beside each chart carries the same numbers.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    period: int
    value: float | int | None
    provisional: bool = False  # an open period's figure: marked, not joined to the line (rule 10)


def final_line(points: list[Point]) -> str:
    """An SVG polyline through the final figures only: a provisional point is not a fall."""
    return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points if not p.provisional)


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: list[Point]  # periods with a value, left to right
    threshold_y: float
    top: float  # the value at the top edge

    @property
    def polyline(self) -> str:
        return final_line(self.points)


def trend_chart(series: list[tuple[int, float | int | None]], threshold: float, unit: str,
                width: int = 240, height: int = 64, pad: int = 6,
                provisional: frozenset[int] | set[int] = frozenset()) -> TrendChart | None:
    """A chart of (period, value) pairs with the threshold as a line; None without two values.
    The periods in ``provisional`` are drawn as marked points off the line."""
    values = [(period, value) for period, value in series if value is not None]
    if len(values) < 2:
        return None
    top = 100.0 if unit == "percent" else max(float(threshold), *(float(v) for _, v in values)) * 1.15 or 1.0
    first, last = series[0][0], series[-1][0]
    span = max(last - first, 1)

    def x(period: int) -> float:
        return pad + (width - 2 * pad) * (period - first) / span

    def y(value: float) -> float:
        return height - pad - (height - 2 * pad) * min(float(value), top) / top

    points = [Point(x(p), y(v), p, v, p in provisional) for p, v in values]
    return TrendChart(width, height, points, y(threshold), top)


@dataclass(frozen=True)
class Band:
    state: str
    path: str  # an SVG path: the area between this state's lower and upper edges


@dataclass(frozen=True)
class ProgressChart:
    width: int
    height: int
    bands: list[Band]
    ticks: list[tuple[float, str]]  # x, day label


def progress_chart(points, states, width: int = 560, height: int = 180, pad: int = 24) -> ProgressChart | None:
    """A stacked area of how many agencies were in each state on each day (``points`` are
    season.ProgressPoint); None without two days to draw between."""
    if len(points) < 2:
        return None
    total = max(sum(p.counts.values()) for p in points) or 1
    first, last = points[0].day, points[-1].day
    span = max((last - first).days, 1)

    def x(day) -> float:
        return pad + (width - 2 * pad) * (day - first).days / span

    def y(value: float) -> float:
        return height - pad - (height - 2 * pad) * value / total

    bands, below = [], [0] * len(points)
    for state in states:
        above = [b + p.counts.get(state, 0) for b, p in zip(below, points)]
        top = " L".join(f"{x(p.day):.1f},{y(v):.1f}" for p, v in zip(points, above))
        bottom = " L".join(f"{x(p.day):.1f},{y(v):.1f}" for p, v in reversed(list(zip(points, below))))
        bands.append(Band(state, f"M{top} L{bottom} Z"))
        below = above
    ticks = [(x(p.day), p.day.strftime("%d/%m")) for p in points]
    return ProgressChart(width, height, bands, ticks)


# --- a target's chart on its own page (issue #14.4) ----------------------------------------

@dataclass(frozen=True)
class Tick:
    at: float  # x or y in the drawing
    value: float | int


@dataclass(frozen=True)
class TargetChart:
    """Years on the x-axis, the value on the y-axis, the threshold and the deadline drawn and
    labelled, the projection to the deadline as a dashed line, provisional points marked."""

    width: int
    height: int
    left: float  # the plot area
    right: float
    top: float
    bottom: float
    points: list[Point]
    years: list[Tick]
    levels: list[Tick]  # the y-axis's labelled values
    threshold_y: float
    deadline_x: float | None  # None: the deadline is outside the years drawn
    projection: tuple[Point, Point] | None  # from the last final point to the deadline

    @property
    def polyline(self) -> str:
        return final_line(self.points)


def _levels(top: float, unit: str) -> list[float]:
    """Four or five round values from 0 to ``top`` for the y-axis."""
    if unit == "percent":
        return [0, 25, 50, 75, 100]
    raw = top / 4
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(int(top // step) + 1)]


def target_chart(series: list[tuple[int, float | int | None]], threshold: float, unit: str, deadline: int,
                 projected: float | None = None, provisional: frozenset[int] | set[int] = frozenset(),
                 width: int = 640, height: int = 260) -> TargetChart | None:
    """The chart of a target's results over the periods (``series``: period, value), with its
    ``threshold``, its ``deadline`` and the ``projected`` value at the deadline when the
    deadline is still ahead of the last final figure; None without a value to draw."""
    values = [(period, value) for period, value in series if value is not None]
    if not values:
        return None
    final = [(p, v) for p, v in values if p not in provisional]
    first = series[0][0]
    last = max(series[-1][0], deadline if projected is not None else series[-1][0])
    span = max(last - first, 1)
    if unit == "percent":
        top = 100.0
    else:
        top = max(float(threshold), float(projected or 0), *(float(v) for _, v in values)) * 1.15 or 1.0
    levels = _levels(top, unit)  # none above top
    # room on the left for the y-axis's labels, on the right for the deadline's and the projection's
    left, right, upper, lower = 52.0, width - 112.0, 24.0, height - 32.0

    def x(period: int) -> float:
        return left + (right - left) * (period - first) / span

    def y(value: float) -> float:
        return lower - (lower - upper) * min(float(value), top) / top

    points = [Point(x(p), y(v), p, v, p in provisional) for p, v in values]
    step = -(-(span + 1) // 12)  # at most twelve year labels
    years = [Tick(x(year), year) for year in range(first, last + 1, step)]
    projection = None
    if projected is not None and final and deadline > final[-1][0]:
        start = next(p for p in points if p.period == final[-1][0])
        projection = (start, Point(x(deadline), y(projected), deadline, projected))
    return TargetChart(width, height, left, right, upper, lower, points, years,
                       [Tick(y(level), level) for level in levels], y(threshold),
                       x(deadline) if first <= deadline <= last else None, projection)
