"""A period's ranking as the last ``registry ranking`` kept it, read through the
database's own driver: the next run prints it without importing SQLAlchemy, SQLModel
or the tables, and without scoring every agency again (issue #14).

Only a current one is answered: kept under the stamp of every period's tokens up to
this one (core/stamps.stamp_through, as rankings/ranking.share_ranking stamps it).
Anything else answers None, and the command computes (and keeps) it.

No Flask, no SQLAlchemy here.
"""

import json

from registry.core.driver import read_rows
from registry.core.stamps import EVERY_PERIOD, stamp_through

_TOKENS = "SELECT period_year, verified FROM generation WHERE period_year <= {mark}"
_KEPT = ("SELECT c.token, c.body FROM ranking_cache c JOIN reporting_period p ON p.year = c.period_year "
         "WHERE c.period_year = {mark} AND c.lang = {mark}")


def kept_ranking(url: str, period: int, lang: str) -> dict | None:
    """The ranking's document (``Ranking.as_dict(lang)``), or None when none is kept under
    the current tokens (then compute it)."""
    found = read_rows(url, (_TOKENS, (period,)), (_KEPT, (period, lang)))  # tokens first: see read_rows
    if not found or not found[1]:
        return None
    tokens = dict(found[0])
    token, body = found[1][0]
    if EVERY_PERIOD not in tokens or token != stamp_through(tokens, period):
        return None
    return json.loads(body) if isinstance(body, str) else body
