"""The public pages: no sign-in, verified data only.

Target results come from target_cache.py. The home page, the busiest page, is
rendered for visitors who are not signed in once per generation of the
verified figures, language and query, and kept by each worker (a request then
costs one query, the generation's token); its weak ETag lets a browser that
has the page ask again with the same one query. Signed-in pages are rendered
every time and never cached (security.py sends them ``no-store``).
"""

from flask import Blueprint, Response, render_template, request, session as cookie_session
from flask_babel import get_locale
from sqlmodel import select

from .. import target_cache
from ..auth import actor
from ..charts import trend_chart
from ..db import get_session
from ..demo import is_loaded as demo_loaded
from ..errors import N_, NotFound
from ..models import Agency, Formula, Service, Target
from ..reading import latest_verified_period, period_or_404
from ..targets import SERVICE_FORMULAS, agency_drilldown, periods, project, service_drilldown
from .revalidation import not_modified, revalidated, validator

bp = Blueprint("public", __name__)

BASIS = "verified"  # the public is told only what has been verified
DRILLDOWN_PAGE = 100
HOME_PAGES_KEPT = 64  # rendered home pages kept per worker (generations × languages × periods)

_home_pages = target_cache.TokenMemo(HOME_PAGES_KEPT)


def _chosen_period(session) -> int | None:
    year = request.args.get("period") or latest_verified_period(session)
    return None if year is None else period_or_404(session, year).year


def _spoken(result) -> str:
    if result.value is None:
        return "—"
    return f"{result.value:.1f}%" if result.target.unit == "percent" else str(result.value)


def _render_index(session) -> str:
    year = _chosen_period(session)
    years = periods(session)
    rows = []
    if year is not None:
        shown = [y for y in years if y <= year]
        for history in target_cache.trend(session, BASIS, shown).values():
            result = history[-1]
            target = result.target
            rows.append({
                "result": result,
                "projection": project(target, history),
                "chart": trend_chart([(r.period, r.value) for r in history], target.threshold, target.unit),
                "history": history,
                "spoken": ", ".join(f"{r.period}: {_spoken(r)}" for r in history),
            })
    return render_template("public/index.html", rows=rows, period=year, periods=years,
                           demo=demo_loaded(session))


@bp.get("/")
def index():
    session = target_cache.only_reads(get_session())
    # a signed-in visitor's page names them; pending messages are shown once
    shared = actor() is None and "_flashes" not in cookie_session
    tokens = target_cache.tokens(session, BASIS) if shared else None
    if tokens is None:
        return _render_index(session)
    # everything the page depends on: the verified figures of every period (the list of
    # periods and the demo banner included), the query (period, lang) and the language
    token = target_cache.fingerprint(tokens)
    key = (str(session.get_bind().url), request.query_string, str(get_locale()))
    etag = validator(token, *key[1:])
    unchanged = not_modified(etag)
    if unchanged is not None:
        return unchanged
    html = _home_pages.get(key, token)
    if html is None:
        html = _render_index(session)
        _home_pages.put(key, token, html)
    return revalidated(Response(html, content_type="text/html; charset=utf-8"), etag)


@bp.get("/targets/<code>")
def target_detail(code: str):
    session = target_cache.only_reads(get_session())
    target = session.exec(select(Target).where(Target.code == code, Target.active)).first()
    if target is None:
        raise NotFound(N_("Không có chỉ tiêu %(code)s."), code=code)
    year = _chosen_period(session)
    if year is None:
        raise NotFound(N_("Chưa có kỳ báo cáo nào."))
    result = next((r for r in target_cache.target_results(session, year, BASIS) if r.target.code == code), None)
    if result is None:  # a definition the engine cannot compute
        raise NotFound(N_("Không có chỉ tiêu %(code)s."), code=code)
    show = request.args.get("show", "counted")
    if show not in ("counted", "not_counted", "not_in_basis", "all"):
        show = "counted"
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        page = 1
    if target.formula in SERVICE_FORMULAS:
        query = service_drilldown(year, BASIS, target.min_level)
        kind, order = "services", (Service.name_sort, Service.code)
    else:
        query = agency_drilldown(target, year, BASIS)
        kind, order = "agencies", (Agency.name_sort, Agency.code)
    columns = query.selected_columns
    if show == "counted":
        query = query.where(columns.counted)
    elif show == "not_counted":
        query = query.where(~columns.counted, columns.in_basis)
    elif show == "not_in_basis":
        query = query.where(~columns.in_basis)
    rows = session.execute(query.order_by(*order).offset((page - 1) * DRILLDOWN_PAGE).limit(DRILLDOWN_PAGE + 1)).all()
    return render_template("public/target.html", target=target, result=result, period=year, kind=kind, show=show,
                           rows=rows[:DRILLDOWN_PAGE], page=page, more=len(rows) > DRILLDOWN_PAGE,
                           is_sum=target.formula == Formula.report_sum_ratio.value, demo=demo_loaded(session))
