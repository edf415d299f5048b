"""The ranking page (SPEC §3c) and the administrators' page for the ranking method.

The ranking is public and verified-only, shared per generation like the other
public pages; the method shown beside it is the one in force in the period.
The method page: load → permission (administrators) → validate → one operation
(rankings.method.save_method, audited) → redirect.
"""

from dataclasses import dataclass

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from registry import permissions as can
from registry.catalogue import parameters
from registry.catalogue.paging import page_count
from registry.core import generations
from registry.core.errors import N_, DomainError, ValidationFailed, translate
from registry.dataio.streams import MEDIA_TYPES, csv_stream
from registry.dataio.xlsx import Sheet, xlsx_stream
from registry.rankings import comparison
from registry.rankings import method as methods
from registry.rankings.ranking import ranking
from registry.submissions.periods import latest_verified_period, period_or_404
from registry.targets.trend import periods
from registry.web import shared
from registry.web.admin_forms import ButtonForm
from registry.web.auth import actor, current_actor
from registry.web.db import get_session
from registry.web.gate import require
from registry.web.lifecycle import refused

bp = Blueprint("rankings", __name__)

PAGE = 100


@bp.get("/rankings")
@shared.per_generation
def index():
    session = generations.only_reads(get_session())
    raw = parameters.clean(request.args.get("period"), 20)
    year = raw or latest_verified_period(session)
    year = None if year is None else period_or_404(session, year).year
    found = ranking(session, year) if year is not None else None
    groups = list(found.method.groups) if found else []
    codes = [g.code for g in groups] + (["unranked"] if found and found.group_entries(None) else [])
    group = request.args.get("group") or (codes[0] if codes else None)
    if found is not None and group not in codes:
        raise ValidationFailed(N_("Không có nhóm xếp hạng %(group)s."), group=parameters.clean(group, 64))
    entries = found.group_entries(None if group == "unranked" else group) if found else []
    pages = page_count(len(entries), PAGE)
    page = min(parameters.parse_page_number(request.args.get("page")), pages)  # past the end: the last page
    shown = entries[(page - 1) * PAGE: page * PAGE]
    counts = {}
    for entry in entries:
        key = entry.card.band.code if entry.card.band else "not_assessed"
        counts[key] = counts.get(key, 0) + 1
    return render_template("rankings/index.html", ranking=found, period=year, periods=periods(session),
                           groups=groups, group=group, entries=shown, total=len(entries), page=page,
                           pages=pages, first=(page - 1) * PAGE, counts=counts,
                           method=found.method if found else None)


# --- the agency comparison (shown by catalogue.agencies, downloaded here) ---------------------

@dataclass
class ComparisonRequest:
    """The comparison's filters and order, read from the query string (bad ones collected)."""

    form: dict
    period: int | None
    rows: list
    found: object
    problems: list


def comparison_request(session, args, check) -> ComparisonRequest:
    """Read the filters with ``check`` (which collects what is wrong) and build the rows:
    every active agency, with its figures of the chosen period (default: the latest with
    verified data; before any period, the agencies alone)."""
    form = {"q": parameters.clean(args.get("q")), "kind": parameters.clean(args.get("kind"), 32),
            "tier": parameters.clean(args.get("tier"), 16), "district": parameters.clean(args.get("district"), 64),
            "sort": parameters.clean(args.get("sort"), 16), "dir": parameters.clean(args.get("dir"), 8)}
    raw = parameters.clean(args.get("period"), 20)
    year = check(lambda: _year(session, raw))
    kind = check(parameters.parse_kind, form["kind"])
    tier = check(parameters.parse_tier, form["tier"])
    sort = check(comparison.parse_sort, form["sort"], form["dir"], default=("name", False))
    found = ranking(session, year or 0)
    district = check(comparison.district_filter, found, form["district"])
    rows = comparison.compare(found, ids=comparison.matching_ids(session, form["q"]), tier=tier, kind=kind,
                              district=district, sort=sort[0], descending=sort[1])
    form.update(sort=sort[0], dir="desc" if sort[1] else "asc")
    return ComparisonRequest(form, year, rows, found, [])


def _year(session, raw) -> int | None:
    year = raw or latest_verified_period(session)
    return None if year is None else period_or_404(session, year).year


@bp.get("/agencies/comparison.<any(csv,xlsx):fmt>")
@shared.per_generation
def comparison_download(fmt: str):
    """The comparison table, as filtered and sorted, as a file (numbers as numbers)."""
    session = generations.only_reads(get_session())

    def check(parse, *args, default=None):
        return parse(*args)  # a download has no page to explain on: a bad parameter is a 4xx

    chosen = comparison_request(session, request.args, check)
    lang = str(get_locale())
    header = comparison.header(_)
    rows = [row.values(lang, _) for row in chosen.rows]
    name = f"co-quan-so-sanh-{chosen.period or 'chua-co-ky'}.{fmt}"
    if fmt == "csv":
        chunks = csv_stream(header, rows)
    else:
        chunks = xlsx_stream([Sheet(_("So sánh cơ quan"), header, rows, preamble=(
            _("So sánh các cơ quan, đơn vị — kỳ báo cáo %(year)s (số liệu đã xác minh)", year=chosen.period),))])
    response = Response(b"".join(chunks), content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the method (administrators) ----------------------------------------------------------

def _method_page(year: int | None, status: int = 200, errors: dict | None = None, values: dict | None = None):
    session = get_session()
    shown_year = year or latest_verified_period(session) or 2000
    current = methods.method_for(session, shown_year)
    return render_template("rankings/method_form.html", method=current, year=shown_year,
                           versions=methods.versions(session), button=ButtonForm(formdata=None),
                           errors=errors or {}, values=values or {}), status


@bp.get("/admin/ranking-method")
def method_form():
    require(can.can_administer(actor()), "ranking_method")
    raw = request.args.get("year")
    try:
        year = int(raw) if raw else None
    except ValueError:
        year = None
    return _method_page(year if year and 2000 <= year <= 2100 else None)


@bp.post("/admin/ranking-method")
def method_save():
    require(can.can_administer(actor()), "ranking_method")
    form = ButtonForm()
    values = request.form.to_dict()
    try:
        year = int(values.get("effective_from", "").strip())
    except ValueError:
        year = None
    if not form.validate():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và thử lại."), "error")
        return redirect(url_for(".method_form"))
    session = get_session()
    try:
        if year is None or not 2000 <= year <= 2100:
            raise ValidationFailed(methods.INVALID, fields={"effective_from": N_("hãy nhập năm từ 2000 đến 2100")})
        current = methods.method_for(session, year)
        document = methods.edited_document(
            current, {c.code: values.get(f"points-{c.code}") for c in current.criteria},
            {b.code: values.get(f"minimum-{b.code}") for b in current.bands[:-1]})
        methods.save_method(session, current_actor(), year, document)
    except DomainError as exc:
        errors = dict(exc.fields)
        status = refused(exc)
        shown = year if year is not None and 2000 <= year <= 2100 else None  # a bad year is never looked up
        return _method_page(shown, status, {k: translate(v, _) for k, v in errors.items()}, values)
    flash(_("Đã lưu phương pháp xếp hạng áp dụng từ kỳ %(year)s.", year=year), "info")
    return redirect(url_for(".method_form", year=year))
