"""The target results every process shares, read through the database's own driver.

``registry targets`` answers from here without importing SQLAlchemy, SQLModel or
the tables, which are most of its start-up (issue #18). Only a hit is answered:
the period exists and ``target_cache`` holds its results under the stamp of the
current generation tokens, the check targets/cache.py makes (here in one
statement, so on one snapshot). Anything else (no such period, nothing kept yet,
the tokens have moved, a database or driver this cannot open) answers None, and
the command takes the full way, which computes, shares, and says what is wrong.

No Flask, no SQLAlchemy here.
"""

import json
from types import SimpleNamespace

from registry.core.driver import read_rows
from registry.core.stamps import BASES, EVERY_PERIOD, stamp
from registry.targets.results import TargetResult, result_from_payload

# The period, its kept results and the tokens they must carry. {basis} is one of BASES.
_QUERY = """
SELECT c.token, c.results, g0.{basis}, gp.{basis}
FROM reporting_period p
JOIN target_cache c ON c.period_year = p.year AND c.basis = {{mark}}
JOIN generation g0 ON g0.period_year = {every}
LEFT JOIN generation gp ON gp.period_year = p.year
WHERE p.year = {{mark}}
"""


def kept_results(url: str, period: int, basis: str) -> list[TargetResult] | None:
    """Each target's result for ``period`` as the cache would serve it, or None when this
    cannot tell (then ask targets/cache.py)."""
    if basis not in BASES:
        return None
    found = read_rows(url, (_QUERY.format(basis=basis, every=EVERY_PERIOD), (basis, period)))  # nosec B608
    if not found or not found[0]:
        return None
    token, payload, every, own = found[0][0]
    if token != stamp({EVERY_PERIOD: every, period: own or ""}, period):  # (no row of its own: "")
        return None
    if isinstance(payload, str):  # SQLite keeps JSON as text; psycopg parses json columns itself
        payload = json.loads(payload)
    return [result_from_payload(period, basis, item, SimpleNamespace) for item in payload]
