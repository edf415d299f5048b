"""The ranking of a period (SPEC §3c, §8.7): every agency's scorecard, ranked within
its group, with the movement since the previous period. No Flask here.

``compute_ranking`` works from verified data alone and gives a value that does
not depend on the database once made; ``Ranking.as_dict`` is the document the
API, ``registry ranking --json`` and open data give, and what publishing a
closed period stores as its ranking part. ``ranking`` is the same through a
per-process memo kept while the generation tokens of the period (and of the
previous one) hold; ``share_ranking`` also keeps its documents in
``ranking_cache`` for the next ``registry ranking`` (rankings/shared.py).

Rules: within a group, higher exact scores rank first; equal scores share a
rank and the next rank skips (1, 1, 3); an agency without a verified report is
"not assessed" (listed, never ranked, never 0); agencies of no group are scored
but not ranked; the previous period is the latest earlier closed one; the
ranking of a period that is not closed is provisional.
"""

from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select
from sqlmodel import Session

from registry.core import generations
from registry.core.db import share_rows
from registry.core.language import LANGUAGES
from registry.core.memo import TokenMemo
from registry.core.stamps import stamp_through
from registry.models import PeriodStatus, RankingCache, ReportingPeriod, Target, utcnow
from registry.rankings.figures import AgencyFigures, load_years
from registry.rankings.method import Group, Method, document_of, from_row, method_for
from registry.rankings.scorecard import Contribution, Scorecard, contribution_parts, exact, one_decimal, score
from registry.targets.definitions import definition_errors
from registry.targets.engine import active_targets
from registry.targets.versions import in_force


@dataclass(frozen=True)
class Entry:
    card: Scorecard
    group: Group | None
    rank: int | None  # None: not assessed, or in no group
    previous: "Entry | None" = None  # the agency's entry in the previous period's ranking

    @property
    def movement(self) -> int | None:
        """Places gained since the previous period (negative: lost); None when either rank is missing."""
        if self.rank is None or self.previous is None or self.previous.rank is None:
            return None
        return self.previous.rank - self.rank

    @property
    def change(self) -> Fraction | None:
        """The score's change since the previous period."""
        if self.card.score is None or self.previous is None or self.previous.card.score is None:
            return None
        return self.card.score - self.previous.card.score

    @property
    def shown_change(self) -> float | None:
        return None if self.change is None else one_decimal(self.change)

    def as_dict(self, lang: str = "vi", full: bool = False) -> dict:
        card, a = self.card, self.card.agency
        body = {
            "code": a.code, "name": a.name_en if lang == "en" and a.name_en else a.name,
            "tier": a.tier, "kind": a.kind, "group": self.group.code if self.group else None,
            "assessed": card.assessed, "rank": self.rank,
            "score": None if card.score is None else one_decimal(card.score),
            "score_exact": None if card.score is None else exact(card.score),
            "grade": None if card.band is None else card.band.code,
            "previous_rank": self.previous.rank if self.previous else None,
            "previous_score": (one_decimal(self.previous.card.score)
                               if self.previous and self.previous.card.score is not None else None),
            "change": None if self.change is None else one_decimal(self.change),
            "movement": self.movement,
        }
        if full:
            body["scorecard"] = card.as_dict(lang)
        return body


@dataclass
class Ranking:
    period: int
    provisional: bool
    method: Method
    previous_period: int | None
    entries: list[Entry]  # every active agency: by group, then rank, then name
    figures: dict[int, AgencyFigures]
    _sums: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def group_entries(self, code: str | None) -> list[Entry]:
        """A group's entries in ranking order (``None``: the agencies of no group)."""
        return [e for e in self.entries if (e.group.code if e.group else None) == code]

    def entry(self, code: str) -> Entry | None:
        return next((e for e in self.entries if e.card.agency.code == code), None)

    def contributions(self, targets: list[Target], agency: AgencyFigures, *more: AgencyFigures) -> list[Contribution]:
        """What ``agency`` (with ``more``: those agencies together, a district) adds to each
        target, beside the sums over every agency (kept)."""
        found = []
        for target in targets:
            key = (target.code, target.formula, target.min_level, target.flags, target.numerator_field,
                   target.denominator_field, target.scope)
            if key not in self._sums:
                parts = [contribution_parts(target, other) for other in self.figures.values()]
                self._sums[key] = (sum(p[1] for p in parts), sum(p[2] for p in parts))
            parts = [contribution_parts(target, one) for one in (agency, *more)]
            found.append(Contribution(target, any(p[0] for p in parts), sum(p[1] for p in parts),
                                      sum(p[2] for p in parts), *self._sums[key]))
        return found

    def as_dict(self, lang: str = "vi", full: bool = False) -> dict:
        """The ranking as the API gives it; ``full`` adds each agency's scorecard."""
        groups = [{"code": g.code, "title": g.title(lang),
                   "agencies": [e.as_dict(lang, full) for e in self.group_entries(g.code)]}
                  for g in self.method.groups]
        return {"period": self.period, "provisional": self.provisional, "previous_period": self.previous_period,
                "method": self.method.as_dict(lang), "groups": groups,
                "unranked": [e.as_dict(lang, full) for e in self.group_entries(None)]}


# The ranking as a table (open data, and the part publishing a closed period stores): stable codes.
TABLE_COLUMNS = ("code", "name", "name_en", "tier", "kind", "group", "assessed", "rank", "score", "score_exact",
                 "grade", "maximum", "previous_period", "previous_rank", "previous_score", "movement")


def table_rows(found: Ranking) -> list[list]:
    """Every agency valid in the period: its score, grade and rank (TABLE_COLUMNS)."""
    rows = []
    for entry in found.entries:
        row = entry.as_dict("vi")
        rows.append([row["code"], entry.card.agency.name, entry.card.agency.name_en, row["tier"], row["kind"],
                     row["group"], row["assessed"], row["rank"], row["score"], row["score_exact"], row["grade"],
                     found.method.maximum, found.previous_period, row["previous_rank"], row["previous_score"],
                     row["movement"]])
    return rows


def competition_ranks(scores: list[Fraction]) -> list[int]:
    """Ranks of scores sorted from the highest: equal scores share a rank, the next skips (1, 1, 3)."""
    ranks = []
    for index, value in enumerate(scores):
        ranks.append(ranks[-1] if index and value == scores[index - 1] else index + 1)
    return ranks


def usable_targets(session: Session, year: int) -> list[Target]:
    """The active targets the engine can compute, each as its version in force in ``year``
    judges it (rule 11): whose contributions a scorecard of that period shows."""
    judged, _numbers = in_force(session, year, active_targets(session))
    return [t for t in judged if not definition_errors(t)]


def _rank(method: Method, year: int, figures: dict[int, AgencyFigures],
          previous: dict[str, Entry] | None = None) -> list[Entry]:
    previous = previous or {}
    entries: list[Entry] = []
    grouped: dict[Group | None, list[AgencyFigures]] = {}
    group_of: dict[tuple[str, str], Group | None] = {}  # a few (tier, kind) pairs, thousands of agencies
    for agency in figures.values():
        if agency.active:
            pair = (agency.tier, agency.kind)
            if pair not in group_of:
                group_of[pair] = method.group_of(*pair)
            grouped.setdefault(group_of[pair], []).append(agency)
    for group in (*method.groups, None):
        members = grouped.get(group, [])
        cards = [score(method, year, a) for a in members]
        # a float first (never out of the exact order, rounding being monotonic), the exact score on a tie
        assessed = sorted((c for c in cards if c.assessed),
                          key=lambda c: (-float(c.score), -c.score, c.agency.name_sort, c.agency.code))
        not_assessed = sorted((c for c in cards if not c.assessed), key=lambda c: (c.agency.name_sort, c.agency.code))
        ranks = competition_ranks([c.score for c in assessed]) if group is not None else [None] * len(assessed)
        for card, rank in zip(assessed, ranks):
            entries.append(Entry(card, group, rank, previous.get(card.agency.code)))
        entries += [Entry(card, group, None, previous.get(card.agency.code)) for card in not_assessed]
    return entries


def compute_ranking(session: Session, year: int, live: bool = False) -> Ranking:
    """The ranking of ``year`` from verified data, with the previous closed period's for
    the movements (each period by its own method): two queries whatever the registry's size.
    A published period is read from what was published (rankings/figures.py); ``live``: read
    ``year`` from its verified data even so (publishing it)."""
    effective_from, document = document_of(ReportingPeriod.year)
    periods = {r.year: r for r in session.execute(
        select(ReportingPeriod.year, ReportingPeriod.status, effective_from.label("effective_from"),
               document.label("document")).where(ReportingPeriod.year <= year))}
    provisional = year not in periods or periods[year].status != PeriodStatus.closed.value
    before = max((y for y, r in periods.items() if y < year and r.status == PeriodStatus.closed.value), default=None)
    years = [year] if before is None else [year, before]
    method = {y: from_row(periods[y].effective_from, periods[y].document) if y in periods else method_for(session, y)
              for y in years}
    figures = load_years(session, years, live=(year,) if live else ())
    previous = {}
    if before is not None:
        previous = {e.card.agency.code: e for e in _rank(method[before], before, figures[before])}
    return Ranking(year, provisional, method[year], before, _rank(method[year], year, figures[year], previous),
                   figures[year])


_memo = TokenMemo(16)  # (database, year) → Ranking


def clear_memo() -> None:
    _memo.clear()


def ranking(session: Session, year: int) -> Ranking:
    """``compute_ranking`` kept while the verified figures of the period and the earlier ones hold."""
    found = generations.tokens(session, "verified")
    if found is None or generations.written(session):
        return compute_ranking(session, year)
    # every period up to this one: the previous closed period's figures count too (a period's
    # status is EVERY_PERIOD's: closing one moves every token)
    token = stamp_through(found, year)
    key = (str(session.get_bind().url), year)
    kept = _memo.get(key, token)
    if kept is None:
        kept = compute_ranking(session, year)
        _memo.put(key, token, kept)
    return kept


def share_ranking(session: Session, year: int) -> Ranking:
    """``ranking`` for a command: its document in every language is also kept in
    ``ranking_cache`` under the tokens read before computing, so that the next run prints
    it without scoring every agency (rankings/shared.py). Never kept from a session that
    may write or has written: what such a transaction sees may not hold for others."""
    found = generations.tokens(session, "verified")
    result = ranking(session, year)
    if found is not None and session.info.get(generations.READ_ONLY) and not generations.written(session):
        now = utcnow()
        share_rows(session, RankingCache, [RankingCache.period_year, RankingCache.lang],
                   [{"period_year": year, "lang": lang, "token": stamp_through(found, year),
                     "body": result.as_dict(lang), "computed_at": now} for lang in LANGUAGES])
    return result
