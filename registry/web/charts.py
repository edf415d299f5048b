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


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: list[Point]  # periods with a value, left to right
    threshold_y: float
    top: float  # the value at the top edge

    @property
    def polyline(self) -> str:
        """The line through the final figures only: a provisional point is not a fall."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points if not p.provisional)


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
