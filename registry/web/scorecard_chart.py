"""Geometry of a scorecard's chart: a horizontal bar per section, its points against its
maximum (drawn as SVG by templates/rankings/_scorecard.html; the table beside it
carries the same numbers)."""

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Bar:
    label: str
    points: float
    maximum: int
    y: float
    width: float  # of the filled part
    track: float  # of the whole bar


@dataclass(frozen=True)
class ScorecardChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def scorecard_chart(sections: list[tuple[str, Fraction, int]], width: int = 560, label_width: int = 200,
                    bar_height: int = 18, gap: int = 10) -> ScorecardChart:
    """One bar per (label, points, maximum), every bar on the same scale (the largest maximum)."""
    scale = max((m for _, _, m in sections), default=1) or 1
    room = width - label_width - 80
    bars = []
    for index, (label, points, maximum) in enumerate(sections):
        share = min(Fraction(points) / scale, Fraction(1)) if scale else Fraction(0)
        bars.append(Bar(label, float(points), maximum, gap + index * (bar_height + gap), float(share * room),
                        room * maximum / scale))
    return ScorecardChart(width, gap + len(sections) * (bar_height + gap), label_width, bars)
