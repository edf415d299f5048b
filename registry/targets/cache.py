"""Target results per period and basis, kept until the figures behind them change.

At national scale a period's results take the database a few hundred
milliseconds, and the home page shows every period. So results are kept in
the database, where every worker and server shares them, with a per-process
memo in front; a cached read is one query.

* ``target_generation`` holds random tokens, one per basis in each row: the
  row of EVERY_PERIOD, which every period's results depend on, and a row per
  period that has changed. Every change that can alter results replaces a
  token **in the same transaction** (``invalidate``): a submission's
  transitions and imported entries replace their period's, an administrator's
  change to a target, agency or service (and an import of agencies or
  services) replaces EVERY_PERIOD's, a new period its own. So a verification
  costs the recomputation of its period alone. A token is never reused: results
  computed inside a transaction that later rolls back can never pass for
  current ones.
* ``target_cache`` holds, per (period, basis), the stamp the results were
  computed under (the two tokens they depend on) and each target's definition
  and numbers.

A reader stamps what it computes with the tokens it read *before* computing.
On PostgreSQL (read committed) the computation may already see a change
committed in between; that change's new token then makes the stamp old, so the
results are recomputed once more than needed, and never served stale. On
SQLite the tokens and the figures come from the same snapshot.

Without the row of EVERY_PERIOD (a database made by ``create_all``, not by the
migrations) nothing is cached until the first ``invalidate`` creates it.

No Flask here.
"""

import hashlib
import secrets
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, Iterable

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from registry.models import Target, TargetCache, TargetGeneration, utcnow
from registry.targets.engine import BASES, TargetResult, active_targets, compute_targets, make_result, periods

EVERY_PERIOD = 0  # the generation row every period's results depend on (no year is 0)
# session.info keys: the (basis, period) tokens this session's transaction has replaced,
# and whether it holds the lock of EVERY_PERIOD's row
PENDING = "target_cache.invalidated"
LOCKED = "target_cache.locked"
# session.info key: the tokens this session's transaction has read, by basis. A page asks for
# them more than once (its own validator, its totals, its results); once per transaction is
# enough, since what the first read saw is what everything after it is stamped with.
READ = "target_cache.read"
# session.info key, set on a session that only reads (``only_reads``). Only such a session
# shares what it computes through the table: sharing commits on a connection of its own,
# and on SQLite a transaction that has read before that commit can no longer write.
READ_ONLY = "read_only"
# Every column of a target row: a cached result brings its own definition back.
TARGET_FIELDS = tuple(Target.model_fields)
MEMO_SIZE = 512  # (database, period, basis) entries kept per process
# How long storing a computed result may wait for SQLite's write lock; past it
# the result is simply not shared (the next reader stores it). Never the full
# busy timeout: the caller's own session may be the one holding the lock.
STORE_WAIT_MS = 200


def new_token() -> str:
    return secrets.token_hex(16)


# --- the generation: tokens per basis and period ------------------------------------

def invalidate(session: Session, bases: Iterable[str] = BASES, period: int | None = None) -> None:
    """Give ``bases`` new tokens for ``period`` (None: for every period), in the
    caller's transaction: results cached under the old ones stop counting when (and
    only if) the transaction commits."""
    scope = EVERY_PERIOD if period is None else period
    bases = set(bases)
    unknown = bases - set(BASES)
    if unknown:
        raise ValueError(sorted(unknown))
    pending = session.info.setdefault(PENDING, set())
    # a token replaced once in a transaction covers all its later changes (EVERY_PERIOD's, every period's)
    bases = {b for b in bases if (b, scope) not in pending and (b, EVERY_PERIOD) not in pending}
    if not bases:
        return
    if not session.info.get(LOCKED):
        # Every writer locks EVERY_PERIOD's row before any other, so that two transactions
        # replacing the tokens of several periods never wait for each other in a circle.
        session.execute(select(TargetGeneration.period_year)
                        .where(TargetGeneration.period_year == EVERY_PERIOD).with_for_update())
        session.info[LOCKED] = True
    insert = _dialect_insert(session)(TargetGeneration).values(period_year=scope,
                                                               **{b: new_token() for b in BASES})
    session.execute(insert.on_conflict_do_update(index_elements=[TargetGeneration.period_year],
                                                 set_={b: insert.excluded[b] for b in bases}))
    pending.update((b, scope) for b in bases)
    session.info.pop(READ, None)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, _transaction) -> None:
    # Any rollback, a savepoint's too, may have undone new tokens: the next change replaces them again.
    session.info.pop(PENDING, None)
    session.info.pop(READ, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction) -> None:
    if transaction.parent is None:  # committed, rolled back or closed: the next transaction starts afresh
        session.info.pop(PENDING, None)
        session.info.pop(LOCKED, None)
        session.info.pop(READ, None)


def only_reads(session: Session) -> Session:
    """Mark ``session`` as one that never writes (a GET request's, a report's): the
    results it computes are then shared with every worker through the table."""
    session.info[READ_ONLY] = True
    return session


def tokens(session: Session, basis: str) -> dict[int, str] | None:
    """The basis's tokens by period (EVERY_PERIOD's among them), or None before
    EVERY_PERIOD's row exists: one query, the first time in a transaction."""
    if basis not in BASES:
        raise ValueError(basis)
    read = session.info.setdefault(READ, {})
    if basis not in read:
        # on the session's connection without the ORM: this query is most of a cached page's work
        rows = session.connection().execute(select(TargetGeneration.period_year, getattr(TargetGeneration, basis)))
        found = dict(rows.all())
        read[basis] = found if EVERY_PERIOD in found else None
    return read[basis]


def stamp(found: dict[int, str], period: int) -> str:
    """What a period's results depend on: EVERY_PERIOD's token and the period's own."""
    return f"{found[EVERY_PERIOD]}.{found.get(period, '')}"


def fingerprint(found: dict[int, str]) -> str:
    """One string for every token: what a page showing every period depends on."""
    return hashlib.sha256(repr(sorted(found.items())).encode()).hexdigest()[:32]


def _dialect_insert(session: Session):
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(name)  # the registry runs on SQLite and PostgreSQL


# --- cached reads ---------------------------------------------------------------------

class TokenMemo:
    """This process's copies of values that hold while a token has not changed,
    the least recently used forgotten once their weights pass ``size`` (by
    default each value weighs 1: ``size`` counts values)."""

    def __init__(self, size: int, weight: Callable[[Any], int] | None = None):
        self.size = size
        self.weight = weight or (lambda _value: 1)
        self.entries: OrderedDict[Hashable, tuple[str, Any, int]] = OrderedDict()
        self.held = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable, token: str) -> Any | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != token:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, token: str, value: Any) -> None:
        weight = self.weight(value)
        if weight > self.size:
            return  # it would push out everything else
        with self.lock:
            replaced = self.entries.pop(key, None)
            if replaced is not None:
                self.held -= replaced[2]
            self.entries[key] = (token, value, weight)
            self.held += weight
            while self.held > self.size:
                self.held -= self.entries.popitem(last=False)[1][2]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.held = 0


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
    (and one store) per period still missing."""
    years = list(dict.fromkeys(years))
    found = tokens(session, basis)
    if found is None or session.info.get(PENDING):
        # no generation yet; or this transaction has changed figures, and may change
        # more under the tokens it already gave them: nothing it reads may be kept
        targets = active_targets(session)
        return {year: compute_targets(session, year, basis, targets) for year in years}
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
        targets = active_targets(session)
        computed = {year: tuple(compute_targets(session, year, basis, targets)) for year in missing}
        if session.info.get(READ_ONLY):
            _store_shared(session, basis, stamps, computed)
        for year, fresh in computed.items():
            results[year] = fresh
            _memo.put((database, year, basis), stamps[year], fresh)
    return {year: list(results[year]) for year in years}


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
    return [{"target": {name: getattr(r.target, name) for name in TARGET_FIELDS},
             "numerator": r.numerator, "denominator": r.denominator,
             "covered": r.coverage.covered, "total": r.coverage.total} for r in results]


def _results(period: int, basis: str, payload: list[dict]) -> tuple[TargetResult, ...]:
    # A new Target per result, detached from every session: a cached result is read, never written.
    return tuple(make_result(Target(**item["target"]), period, basis, item["numerator"], item["denominator"],
                             item["covered"], item["total"]) for item in payload)


def _read_shared(session: Session, years: list[int], basis: str, stamps: dict[int, str]) -> dict[int, tuple]:
    rows = session.execute(
        select(TargetCache.period_year, TargetCache.token, TargetCache.results)
        .where(TargetCache.basis == basis, TargetCache.period_year.in_(years))
    ).all()
    return {year: _results(year, basis, payload) for year, token, payload in rows if token == stamps[year]}


def _store_shared(session: Session, basis: str, stamps: dict[int, str], computed: dict[int, tuple]) -> None:
    """Share what was computed, on a connection of its own: the caller's session only
    reads. Storing is an optimisation; if the database is busy, it is skipped."""
    if not computed:
        return
    insert = _dialect_insert(session)(TargetCache)
    statement = insert.on_conflict_do_update(
        index_elements=[TargetCache.period_year, TargetCache.basis],
        set_={"token": insert.excluded.token, "results": insert.excluded.results,
              "computed_at": insert.excluded.computed_at},
    )
    now = utcnow()
    rows = [{"period_year": year, "basis": basis, "token": stamps[year], "results": _payload(results),
             "computed_at": now} for year, results in computed.items()]
    engine = session.get_bind()
    try:
        with engine.connect() as connection:
            with _short_lock_wait(connection):
                connection.execute(statement, rows)
                connection.commit()
    except DBAPIError:
        pass  # busy, or a database without the table: the next reader stores it


class _short_lock_wait:
    """On SQLite, wait at most STORE_WAIT_MS for the write lock on this connection."""

    def __init__(self, connection):
        self.dbapi = connection.connection.dbapi_connection if connection.dialect.name == "sqlite" else None
        self.previous = None

    def __enter__(self):
        if self.dbapi is not None:
            self.previous = self.dbapi.execute("PRAGMA busy_timeout").fetchone()[0]
            self.dbapi.execute(f"PRAGMA busy_timeout = {STORE_WAIT_MS}")

    def __exit__(self, *_exc):
        if self.dbapi is not None:
            self.dbapi.execute(f"PRAGMA busy_timeout = {int(self.previous)}")
