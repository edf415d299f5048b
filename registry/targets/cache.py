"""Target results per period and basis, kept while the figures behind them hold.

At national scale a period's results take the database a few hundred
milliseconds, and the home page shows every period. So results are kept in
the database (``target_cache``), where every worker and server shares them,
with a per-process memo in front; a cached read is one query. Each is stamped
with the generation tokens it was computed under (core/generations.py), which
the unit of work replaces whenever the figures change.

A reader stamps what it computes with the tokens it read *before* computing.
On PostgreSQL (read committed) the computation may already see a change
committed in between; that change's new token then makes the stamp old, so the
results are recomputed once more than needed, and never served stale. On
SQLite the tokens and the figures come from the same snapshot.

No Flask here.
"""

from typing import Iterable

from sqlalchemy import select
from sqlmodel import Session

from registry.core import generations
from registry.core.db import share_rows
from registry.core.generations import READ_ONLY, stamp, tokens
from registry.core.memo import TokenMemo
from registry.models import Target, TargetCache, utcnow
from registry.targets.engine import active_targets, compute_targets
from registry.targets.publication import corrections, published_results
from registry.targets.results import TargetResult, result_from_payload, result_payload
from registry.targets.trend import periods

MEMO_SIZE = 512  # (database, period, basis) entries kept per process


_memo = TokenMemo(MEMO_SIZE)  # (database, period, basis) → tuple of TargetResult


def clear_memo() -> None:
    """Forget this process's copies (the shared table stays): for tests and benchmarks."""
    _memo.clear()


def target_results(session: Session, period: int, basis: str = "verified") -> list[TargetResult]:
    """Each active target's result for ``period``, as ``compute_targets`` gives it,
    from the cache while the tokens it depends on have not changed."""
    return results_by_period(session, [period], basis)[period]


def results_by_period(session: Session, years: Iterable[int], basis: str = "verified") -> dict[int, list[TargetResult]]:
    """``target_results`` for several periods: one query when every one is in this
    process's memo, one more for those in the shared table, then one computation
    (and one store) per period still missing. A closed period's results are what
    closing it published (rule 12), whatever has changed since."""
    years = list(dict.fromkeys(years))
    found = tokens(session, basis)
    if found is None or generations.written(session):
        # no generation yet; or this transaction has changed figures, and may change
        # more under the tokens it already gave them: nothing it reads may be kept
        return {year: list(results) for year, results in _fresh(session, years, basis).items()}
    stamps = {year: stamp(found, year) for year in years}
    database = _database_key(session)
    results: dict[int, tuple[TargetResult, ...]] = {}
    for year in years:
        cached = _memo.get((database, year, basis), stamps[year])
        if cached is not None:
            results[year] = cached
    missing = [y for y in years if y not in results]
    if missing:
        for year, shared in _read_shared(session, missing, basis, stamps).items():
            results[year] = shared
            _memo.put((database, year, basis), stamps[year], shared)
    missing = [y for y in years if y not in results]
    if missing:
        computed = _fresh(session, missing, basis)
        if session.info.get(READ_ONLY):
            _store_shared(session, basis, stamps, computed)
        for year, fresh in computed.items():
            results[year] = fresh
            _memo.put((database, year, basis), stamps[year], fresh)
    return {year: list(results[year]) for year in years}


def _fresh(session: Session, years: list[int], basis: str) -> dict[int, tuple[TargetResult, ...]]:
    """Each period's results read afresh: published, or computed."""
    published = published_results(session, years, basis)
    targets = active_targets(session) if len(published) < len(years) else []
    return {year: tuple(published[year]) if year in published else tuple(compute_targets(session, year, basis, targets))
            for year in years}


def trend(session: Session, basis: str = "verified", years: list[int] | None = None) -> dict[str, list[TargetResult]]:
    """``targets.trend`` through the cache: each target's result for every period, oldest first."""
    years = periods(session) if years is None else years
    by_period = results_by_period(session, years, basis)
    series: dict[str, list[TargetResult]] = {}
    for year in years:
        for result in by_period[year]:
            series.setdefault(result.target.code, []).append(result)
    return series


def _database_key(session: Session) -> str:
    return str(session.get_bind().url)


# --- the shared table -------------------------------------------------------------------

def _payload(results: Iterable[TargetResult]) -> list[dict]:
    return [result_payload(r) for r in results]


def _results(period: int, basis: str, payload: list[dict]) -> tuple[TargetResult, ...]:
    return tuple(result_from_payload(period, basis, item, Target) for item in payload)


def _read_shared(session: Session, years: list[int], basis: str, stamps: dict[int, str]) -> dict[int, tuple]:
    rows = session.execute(
        select(TargetCache.period_year, TargetCache.token, TargetCache.results)
        .where(TargetCache.basis == basis, TargetCache.period_year.in_(years))
    ).all()
    return {year: _results(year, basis, payload) for year, token, payload in rows if token == stamps[year]}


def _store_shared(session: Session, basis: str, stamps: dict[int, str], computed: dict[int, tuple]) -> None:
    """Share what was computed (core/db.share_rows: on a connection of its own, skipped when busy)."""
    now = utcnow()
    share_rows(session, TargetCache, [TargetCache.period_year, TargetCache.basis],
               [{"period_year": year, "basis": basis, "token": stamps[year], "results": _payload(results),
                 "computed_at": now} for year, results in computed.items()])


def targets_object(session: Session, period: int, basis: str = "verified", lang: str = "vi") -> dict:
    """The object of GET /api/v1/targets and ``registry targets --json`` (SPEC §5): the
    period's results (published, for a closed period) and its corrections."""
    results = target_results(session, period, basis)
    return {"period": period, "basis": basis, "targets": [r.as_dict(lang) for r in results],
            "corrections": corrections(session, period)}
