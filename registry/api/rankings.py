"""Public reads of the ranking (SPEC §3c, §5): ``GET /api/v1/rankings?period=`` and the
scorecard that ``GET /api/v1/agencies/{code}`` carries. Verified data only; kept by
each worker until the verified figures change (web/shared.py)."""

from flask import jsonify, request

from registry.api import _lang, bp, refuse_empty
from registry.catalogue import parameters
from registry.core import generations
from registry.core.errors import N_, ValidationFailed
from registry.rankings.ranking import Ranking, ranking, usable_targets
from registry.submissions.periods import latest_verified_period, period_or_404
from registry.web import shared
from registry.web.db import get_session


def chosen_period(session, raw) -> int | None:
    year = parameters.clean(raw, 20) or latest_verified_period(session)
    return None if year is None else period_or_404(session, year).year


def agency_scorecard(session, found: Ranking, code: str, lang: str) -> dict | None:
    """The agency's scorecard of the ranking's period, with its rank and its contribution to each target."""
    entry = found.entry(code)
    if entry is None:
        return None
    body = entry.as_dict(lang)
    body.update(period=found.period, provisional=found.provisional, previous_period=found.previous_period,
                scorecard=entry.card.as_dict(lang))
    targets = usable_targets(session, found.period)
    body["contributions"] = [c.as_dict(lang) for c in found.contributions(targets, entry.card.agency)]
    return body


@bp.get("/rankings")
@shared.per_generation
def rankings():
    refuse_empty("period", "group")
    scorecards = request.args.get("scorecards")
    if scorecards not in (None, "true", "false"):
        raise ValidationFailed(N_("Dữ liệu gửi lên không hợp lệ."), fields={"scorecards": N_("không hợp lệ")})
    session = generations.only_reads(get_session())
    year = chosen_period(session, request.args.get("period"))
    lang = _lang()
    if year is None:
        return jsonify({"period": None, "provisional": None, "previous_period": None, "method": None,
                        "groups": [], "unranked": []})
    body = ranking(session, year).as_dict(lang, full=scorecards == "true")
    group = request.args.get("group")
    if group is not None:
        if group not in [g["code"] for g in body["groups"]]:
            raise ValidationFailed(N_("Không có nhóm xếp hạng %(group)s."), fields={"group": N_("không hợp lệ")},
                                   group=parameters.clean(group, 64))
        body["groups"] = [g for g in body["groups"] if g["code"] == group]
        body["unranked"] = []
    return jsonify(body)
