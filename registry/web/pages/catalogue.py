"""The public service catalogue and agency pages: no sign-in, verified data only.

Bad query parameters (a period that is not a year, a level off the scale, a
garbled page link) are the visitor's mistake: the page says what is wrong, in
the visitor's language, beside the form to fix it (status 400), never a 500.
Visitors who are not signed in share what each worker rendered for the same
query until the verified figures change (shared.py), searches apart.
"""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext

from registry.catalogue import agencies as agency_list
from registry.catalogue import parameters
from registry.catalogue import services as service_list
from registry.core.errors import DomainError, translate
from registry.models import REPORT_FIELDS, REPORT_FLAGS, Kind
from registry.submissions.periods import latest_verified_period, period_or_404
from registry.targets.trend import periods
from registry.web import shared
from registry.web.db import get_session

bp = Blueprint("catalogue", __name__)


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
    count = max(1, -(-page.total // size)) if page else 1
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
    session = get_session()
    args = request.args
    problems = _Problems()
    form = {"q": parameters.clean(args.get("q")), "kind": parameters.clean(args.get("kind"), 32),
            "tier": parameters.clean(args.get("tier"), 16)}
    kind = problems.check(parameters.parse_kind, form["kind"])
    tier = problems.check(parameters.parse_tier, form["tier"])
    after = problems.check(parameters.parse_agency_cursor, args.get("after"))
    page, counts = None, {}
    if not problems.messages:
        page, counts = agency_list.agency_page(session, q=form["q"], tier=tier, kind=kind, after=after,
                                       limit=parameters.MAX_LIMIT)
    next_url = _link("catalogue.agencies", **form, after=page.next) if page and page.next else None
    first_url = _link("catalogue.agencies", **form) if after else None
    return render_template(
        "catalogue/agencies.html", page=page, counts=counts, form=form, kinds=[k.value for k in Kind],
        tiers=parameters.TIER_ORDER, problems=problems.messages, next_url=next_url, first_url=first_url,
    ), 400 if problems.messages else 200


@bp.get("/agencies/<code>")
@shared.per_generation
def agency(code: str):
    session = get_session()
    record = agency_list.active_agency(session, code)  # 404 page when unknown or inactive
    problems = _Problems()
    period = problems.check(_period, session, request.args.get("period"))
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
    return render_template(
        "catalogue/agency.html", agency=record, relatives=agency_list.relatives(session, record),
        reports=agency_list.verified_reports(session, record), report_fields=REPORT_FIELDS, report_flags=REPORT_FLAGS,
        page=page, period=period, periods=periods(session), problems=problems.messages, next_url=next_url,
        first_url=first_url, paging=_numbered(page, number), page_args={"code": record.code, "period": period},
    ), 400 if problems.messages else 200
