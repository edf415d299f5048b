"""The public pages: no sign-in, verified data only.

Target results come from target_cache.py. For visitors who are not signed in
the pages are rendered once per generation of the verified figures
(shared.py); signed-in pages are rendered every time and never cached.
"""


from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import select

from registry.catalogue.paging import page_count
from registry.core import generations
from registry.core.errors import N_, NotFound
from registry.models import Agency, Formula, Service, Target
from registry.rankings.breakdown import target_breakdown
from registry.submissions.periods import latest_verified_period, period_or_404, period_statuses
from registry.targets import cache as results_cache
from registry.targets.definitions import SERVICE_FORMULAS
from registry.targets.drilldown import agency_drilldown, procedure_drilldown, published_drilldown, service_drilldown
from registry.targets.publication import corrections
from registry.targets.trend import periods, project
from registry.web import shared
from registry.web.charts import target_chart, trend_chart
from registry.web.db import get_session

bp = Blueprint("public", __name__)

BASIS = shared.BASIS
DRILLDOWN_PAGE = 100
BREAKDOWN_ROWS = 20  # the agencies that hold the target back most, on the target's page


def _chosen_period(session) -> int | None:
    year = request.args.get("period") or latest_verified_period(session)
    return None if year is None else period_or_404(session, year).year


def _spoken(result) -> str:
    from registry.web.templating import number, percent

    if result.value is None:
        return "—"
    text = percent(result.value) if result.target.unit == "percent" else number(result.value)
    return f"{text} ({_('tạm tính')})" if result.provisional else text


def _histories(session, year: int) -> dict[str, list]:
    """Each target's results up to the chosen period, oldest first."""
    return results_cache.trend(session, BASIS, [y for y in periods(session) if y <= year])


def _render_index(session) -> str:
    year = _chosen_period(session)
    years = periods(session)
    rows = []
    if year is not None:
        for history in _histories(session, year).values():
            result = history[-1]
            target = result.target
            rows.append({
                "result": result,
                "projection": project(target, history),
                "chart": trend_chart([(r.period, r.value) for r in history], target.threshold, target.unit,
                                     provisional={r.period for r in history if r.provisional}),
                "history": history,
                "spoken": ", ".join(f"{r.period}: {_spoken(r)}" for r in history),
            })
    return render_template("public/index.html", rows=rows, period=year, periods=years,
                           statuses=period_statuses(session),
                           corrections=corrections(session, year) if year is not None else [])


@bp.get("/")
@shared.per_generation
def index():
    return _render_index(generations.only_reads(get_session()))


@bp.get("/targets/<code>")
@shared.per_generation
def target_detail(code: str):
    session = generations.only_reads(get_session())
    target = session.exec(select(Target).where(Target.code == code, Target.active)).first()
    if target is None:
        raise NotFound(N_("Không có chỉ tiêu %(code)s."), code=code)
    year = _chosen_period(session)
    if year is None:
        raise NotFound(N_("Chưa có kỳ báo cáo nào."))
    result = next((r for r in results_cache.target_results(session, year, BASIS) if r.target.code == code), None)
    if result is None:  # a definition the engine cannot compute
        raise NotFound(N_("Không có chỉ tiêu %(code)s."), code=code)
    show = request.args.get("show", "counted")
    if show not in ("counted", "not_counted", "not_in_basis", "all"):
        show = "counted"
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        page = 1
    procedure = (request.args.get("procedure") or "").strip()[:64] or None
    published = published_drilldown(session, target, result, year, BASIS, show, procedure)
    if published is not None:  # a closed period: what was published
        kind = ("agencies" if target.formula not in SERVICE_FORMULAS
                else "procedures" if procedure is None else "services")
        pages = page_count(len(published), DRILLDOWN_PAGE)
        page = min(page, pages)  # past the end: the last page
        start = (page - 1) * DRILLDOWN_PAGE
        rows = published[start:start + DRILLDOWN_PAGE]
    else:
        if target.formula in SERVICE_FORMULAS and procedure is not None:
            # from a procedure to its offerings (SPEC §3 rule 3)
            query = service_drilldown(year, BASIS, result.target.min_level, procedure)
            kind, order = "services", (Service.name_sort, Service.code)
        elif target.formula in SERVICE_FORMULAS:
            query = procedure_drilldown(year, BASIS, result.target.min_level)
            kind = "procedures"
            order = (query.selected_columns.name_sort, query.selected_columns.code)
        else:
            query = agency_drilldown(result.target, year, BASIS)
            kind, order = "agencies", (Agency.name_sort, Agency.code)
        columns = query.selected_columns
        if show == "counted":
            query = query.where(columns.counted)
        elif show == "not_counted":
            query = query.where(~columns.counted, columns.in_basis)
        elif show == "not_in_basis":
            query = query.where(~columns.in_basis)
        pages = page_count(session.execute(select(func.count()).select_from(query.subquery())).scalar_one(),
                           DRILLDOWN_PAGE)
        page = min(page, pages)
        rows = session.execute(query.order_by(*order).offset((page - 1) * DRILLDOWN_PAGE)
                               .limit(DRILLDOWN_PAGE)).all()
    by_agency = target_breakdown(session, result, year)  # what was published, for a closed period
    history = _histories(session, year).get(code, [result])
    projection = project(result.target, history)
    chart = target_chart([(r.period, r.value) for r in history], result.target.threshold, result.target.unit,
                         result.target.deadline, None if projection.deadline_passed else projection.projected,
                         provisional={r.period for r in history if r.provisional})
    return render_template("public/target.html", target=result.target, result=result, period=year, kind=kind,
                           history=history, projection=projection, chart=chart,
                           spoken=", ".join(f"{r.period}: {_spoken(r)}" for r in history),
                           show=show, corrections=corrections(session, year),
                           procedure=procedure if kind == "services" else None,
                           by_agency=by_agency, by_agency_rows=by_agency.rows[:BREAKDOWN_ROWS],
                           rows=rows, page=page, pages=pages,
                           is_sum=target.formula == Formula.report_sum_ratio.value)
