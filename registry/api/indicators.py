"""Public reads of the province-wide indicators (SPEC §3b, §8.10): verified values only,
exact decimals as JSON strings."""

from flask import jsonify, request

from registry.api import _lang, bp, refuse_empty
from registry.core import generations
from registry.core.errors import N_, NotFound
from registry.indicators.results import indicator_results
from registry.submissions.periods import latest_verified_period, period_or_404
from registry.web import shared
from registry.web.db import get_session


@bp.get("/indicators")
@shared.per_generation
def indicators():
    refuse_empty("period")
    session = generations.only_reads(get_session())
    year = request.args.get("period") or latest_verified_period(session)
    if year is None:
        raise NotFound(N_("Chưa có kỳ báo cáo nào."))
    period = period_or_404(session, year)
    lang = _lang()
    return jsonify({"period": period.year, "status": period.status,
                    "indicators": [r.as_dict(lang) for r in indicator_results(session, period)]})
