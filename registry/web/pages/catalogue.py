"""The public service catalogue and agency pages: no sign-in, verified data only.

Bad query parameters (a period that is not a year, a level off the scale, a
garbled page link) are the visitor's mistake: the page says what is wrong, in
the visitor's language, beside the form to fix it (status 400), never a 500.
Visitors who are not signed in share what each worker rendered for the same
query until the verified figures change (shared.py), searches apart.
"""

from collections import Counter

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale, gettext

from registry.catalogue import agencies as agency_list
from registry.catalogue import parameters
from registry.catalogue import services as service_list
from registry.catalogue.paging import page_count
from registry.catalogue.validity import is_valid
from registry.core import generations
from registry.core.errors import DomainError, translate
from registry.models import REPORT_FIELDS, REPORT_FLAGS, Kind
from registry.rankings import comparison
from registry.rankings.district import district
from registry.rankings.ranking import ranking, usable_targets
from registry.submissions.periods import latest_verified_period, period_or_404
from registry.targets.trend import periods
from registry.web import shared
from registry.web.db import get_session
from registry.web.pages.rankings import comparison_request
from registry.web.scorecard_chart import scorecard_chart

bp = Blueprint("catalogue", __name__)
COMPARISON_PAGE = 100  # agencies per page of the comparison


class _Problems:
    """Collects the messages of bad parameters so that the page can show them all."""

    def __init__(self):
        self.messages: list[str] = []

    def check(self, parse, *args, default=None):
        try:
            return parse(*args)
        except DomainError as exc:
            self.messages.append(translate(exc, gettext))
            return default


def _period(session, raw) -> int | None:
    year = parameters.clean(raw, 20) or latest_verified_period(session)
    return None if year is None else period_or_404(session, year).year


def _link(endpoint: str, **params) -> str:
    return url_for(endpoint, **{k: v for k, v in params.items() if v not in (None, "")})


def _numbered(page, number: int, size: int = parameters.PAGE_SIZE) -> dict:
    """Where a list's page stands among its pages: this one, and how many (the links are
    the template's pager_with_count)."""
    count = page_count(page.total, size) if page else 1
    return {"number": min(number, count), "count": count}


@bp.get("/services")
@shared.per_generation
def services():
    session = get_session()
    args = request.args
    problems = _Problems()
    form = {"q": parameters.clean(args.get("q")), "agency": parameters.clean(args.get("agency"), 64),
            "sector": parameters.clean(args.get("sector")), "level": parameters.clean(args.get("level"), 8)}
    period = problems.check(_period, session, args.get("period"))
    level = problems.check(parameters.parse_level_filter, form["level"])
    agency = problems.check(service_list.service_filter_agency, session, form["agency"])
    after = problems.check(parameters.parse_service_cursor, args.get("after"))
    number = problems.check(parameters.parse_page_number, args.get("page"), default=1)
    page = None
    if not problems.messages:
        # page numbers for people (page k of n); a cursor link of an older page still works
        def read(number):
            return service_list.service_page(
                session, period, q=form["q"], agency=agency, sector=form["sector"] or None, level=level,
                after=after, offset=0 if after else (number - 1) * parameters.PAGE_SIZE)
        page = read(number)
        if not page.rows and number > _numbered(page, number)["count"]:  # past the end: the last page
            number = _numbered(page, number)["count"]
            page = read(number)
    filters = {"q": form["q"], "agency": form["agency"], "sector": form["sector"], "level": form["level"],
               "period": period}
    next_url = _link("catalogue.services", **filters, after=page.next) if page and page.next else None
    first_url = _link("catalogue.services", **filters) if after else None
    return render_template(
        "catalogue/services.html", page=page, form=form, period=period, periods=periods(session),
        agencies=service_list.agency_choices(session), sectors=service_list.sectors(session),
        max_choices=parameters.MAX_CHOICES,
        problems=problems.messages, next_url=next_url, first_url=first_url,
        paging=_numbered(page, number), page_args={k: v for k, v in filters.items() if v not in (None, "")},
    ), 400 if problems.messages else 200


@bp.get("/agencies")
@shared.per_generation
def agencies():
    """The agencies and their comparison for a period: filters and order in the query string."""
    session = generations.only_reads(get_session())
    problems = _Problems()
    chosen = comparison_request(session, request.args, problems.check)
    pages = page_count(len(chosen.rows), COMPARISON_PAGE)
    asked = problems.check(parameters.parse_page_number, request.args.get("page"), default=1)
    page_number = min(asked, pages)  # past the end: the last page
    rows = chosen.rows[(page_number - 1) * COMPARISON_PAGE: page_number * COMPARISON_PAGE]
    filters = {k: v for k, v in chosen.form.items() if v}
    filters["period"] = chosen.period
    return render_template(
        "catalogue/agencies.html", rows=[] if problems.messages else rows, total=len(chosen.rows),
        form=chosen.form, filters=filters, period=chosen.period, periods=periods(session),
        kinds=[k.value for k in Kind], tiers=parameters.TIER_ORDER, districts=comparison.districts(chosen.found),
        problems=problems.messages, page=page_number, pages=1 if problems.messages else pages,
        page_args={k: v for k, v in filters.items() if k != "page"},
        sorts=comparison.SORTS, tier_counts=Counter(row.agency.tier for row in chosen.rows),
    ), 400 if problems.messages else 200


def _scorecard(session, code: str, period: int) -> dict | None:
    """The agency's scorecard of ``period``, its chart and its contribution to each target; for
    a district's people's committee, the district's agencies and figures too."""
    found = ranking(generations.only_reads(session), period)
    entry = found.entry(code)
    if entry is None:
        return None
    card = entry.card
    lang = str(get_locale())
    chart = scorecard_chart([(s.title(lang), card.section_points(s.code), card.method.section_maximum(s.code))
                             for s in card.method.sections]) if card.assessed else None
    targets = usable_targets(session, period)
    return {"entry": entry, "found": found, "chart": chart, "contributions": found.contributions(targets, card.agency),
            "district": district(found, card.agency, targets)}


@bp.get("/agencies/<code>")
@shared.per_generation
def agency(code: str):
    session = get_session()
    problems = _Problems()
    period = problems.check(_period, session, request.args.get("period"))
    record = agency_list.active_agency(session, code, period)  # 404 unless active or in the period
    after = problems.check(parameters.parse_service_cursor, request.args.get("after"))
    number = problems.check(parameters.parse_page_number, request.args.get("page"), default=1)
    page = None
    if not problems.messages:
        def read(number):
            return service_list.service_page(session, period, agency=record, after=after,
                                             offset=0 if after else (number - 1) * parameters.PAGE_SIZE)
        page = read(number)
        if not page.rows and number > _numbered(page, number)["count"]:  # past the end: the last page
            number = _numbered(page, number)["count"]
            page = read(number)
    next_url = (_link("catalogue.agency", code=record.code, period=period, after=page.next) + "#services"
                if page and page.next else None)
    first_url = _link("catalogue.agency", code=record.code, period=period) + "#services" if after else None
    scorecard = _scorecard(session, record.code, period) if period is not None and not problems.messages else None
    return render_template(
        "catalogue/agency.html", agency=record, scorecard=scorecard, relatives=agency_list.relatives(session, record),
        reports=agency_list.verified_reports(session, record), report_fields=REPORT_FIELDS, report_flags=REPORT_FLAGS,
        page=page, period=period, periods=[year for year in periods(session) if is_valid(record, year)],
        problems=problems.messages, next_url=next_url,
        first_url=first_url, paging=_numbered(page, number), page_args={"code": record.code, "period": period},
    ), 400 if problems.messages else 200
