"""Public reads of the JSON API: agencies and services (verified data, no personal data).

Lists are paged by key: ``limit`` (1–200, default 50) rows after the cursor
``after``; the answer's ``next`` is the cursor of the following page, or null
on the last one. Names follow Accept-Language (``name`` in the chosen
language, ``name_en`` as stored). An answer to a client without a token is
kept by each worker until the verified figures change, searches apart, and
carries a weak ETag for revalidation (views/shared.py).
"""

from flask import jsonify, request

from registry.api import _lang, bp, refuse_empty
from registry.catalogue import agencies as agency_list
from registry.catalogue import paging, parameters
from registry.catalogue import services as service_list
from registry.core import generations
from registry.core.errors import N_, ValidationFailed
from registry.rankings.ranking import ranking
from registry.submissions.periods import latest_verified_period, period_or_404
from registry.web import shared
from registry.web.db import get_session


@bp.get("/agencies")
@shared.per_generation
def agencies():
    refuse_empty("tier", "kind", "limit")
    session = get_session()
    args = request.args
    tier = parameters.parse_tier(args.get("tier"))
    kind = parameters.parse_kind(args.get("kind"))
    limit = parameters.parse_limit(args.get("limit"))
    after = parameters.parse_agency_cursor(args.get("after"))
    page, _counts = agency_list.agency_page(session, q=parameters.parse_search(args.get("q")), tier=tier,
                                            kind=kind, after=after, limit=limit)
    lang = _lang()
    return jsonify({"agencies": [row.as_dict(lang) for row in page.rows], "total": page.total, "next": page.next})


@bp.get("/agencies/<code>")
@shared.per_generation
def agency(code: str):
    session = get_session()
    year = rankings_api.chosen_period(session, request.args.get("period"))
    record = agency_list.active_agency(session, code, year)  # a dissolved agency: the periods it existed in
    relatives = agency_list.relatives(session, record)
    lang = _lang()
    scorecard = (rankings_api.agency_scorecard(generations.only_reads(session), ranking(session, year), record.code,
                                               lang) if year is not None else None)
    return jsonify({
        "code": record.code,
        "name": paging.localised(record.name, record.name_en, lang),
        "name_en": record.name_en,
        "tier": record.tier,
        "kind": record.kind,
        "parent_code": relatives.parent.code if relatives.parent else None,
        "reports": [{"period": r.period, "report": r.report}
                    for r in agency_list.verified_reports(session, record) if r.report is not None],
        "scorecard": scorecard,
    })


SERVICE_PARAMETERS = {"period", "agency", "level", "sector", "q", "after", "limit", "lang"}


@bp.get("/services")
@shared.per_generation
def services():
    refuse_empty("period", "level", "limit")
    unknown = sorted(set(request.args) - SERVICE_PARAMETERS)
    if unknown:  # a misspelt filter would otherwise silently list everything
        raise ValidationFailed(N_("Tham số không được hỗ trợ: %(names)s."),
                               fields={name[:64]: N_("trường không được hỗ trợ") for name in unknown[:20]},
                               names=", ".join(n[:64] for n in unknown[:20]))
    session = get_session()
    args = request.args
    raw_period = parameters.clean(args.get("period"), 20)
    year = raw_period or latest_verified_period(session)
    period = None if year is None else period_or_404(session, year).year
    level = parameters.parse_level_filter(args.get("level"))
    limit = parameters.parse_limit(args.get("limit"))
    after = parameters.parse_service_cursor(args.get("after"))
    agency = service_list.service_filter_agency(session, args.get("agency"))
    page = service_list.service_page(session, period, q=parameters.parse_search(args.get("q")), agency=agency,
                            sector=parameters.clean(args.get("sector")) or None, level=level, after=after, limit=limit)
    lang = _lang()
    return jsonify({"period": period, "services": [row.as_dict(period, lang) for row in page.rows],
                    "total": page.total, "next": page.next})


from registry.api import openapi  # noqa: E402,F401  (GET /api/v1/openapi.json joins the blueprint)
from registry.api import rankings as rankings_api  # noqa: E402  (GET /api/v1/rankings joins the blueprint)
