"""Open data downloads and the DIC's report.

The files are made by registry/exporting.py; the views here check the request
(404 for an unknown period, data set or format; the permission for the report)
and set the response headers, nothing else.
"""

from urllib.parse import quote

from flask import Blueprint, Response, render_template, request

from .. import exporting
from .. import permissions as can
from ..auth import actor
from ..db import get_session
from ..demo import is_loaded as demo_loaded
from ..errors import N_, ValidationFailed
from ..reading import check_basis, latest_verified_period, period_or_404
from ..targets import periods
from .guard import require

bp = Blueprint("opendata", __name__)

DATASET_CONVERTER = "any(" + ",".join(exporting.DATASETS) + ")"
FORMAT_CONVERTER = "any(" + ",".join(exporting.OPEN_DATA_FORMATS) + ")"
# Verified figures change only when an auditor verifies; a few minutes' caching is safe.
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, no-store"


def attachment(body: bytes, fmt: str, filename: str, fallback: str | None = None,
               cache: str = PUBLIC_CACHE) -> Response:
    """A download: the type, the file name (RFC 6266, UTF-8) and the caching."""
    response = Response(body, content_type=exporting.MEDIA_TYPES[fmt])
    ascii_name = fallback or filename
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}")
    response.headers["Cache-Control"] = cache
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/open-data")
def index():
    session = get_session()
    years = sorted(periods(session), reverse=True)
    return render_template(
        "opendata/index.html", years=years, verified_years=exporting.periods_with_verified_data(session),
        datasets=exporting.DATASETS, formats=exporting.OPEN_DATA_FORMATS, columns=exporting.COLUMNS,
        demo=demo_loaded(session))


@bp.get(f"/open-data/<int:year>/<{DATASET_CONVERTER}:dataset>.<{FORMAT_CONVERTER}:fmt>")
def download(year: int, dataset: str, fmt: str):
    session = get_session()
    period_or_404(session, year)
    body = exporting.open_data(session, dataset, year, fmt)
    return attachment(body, fmt, exporting.open_data_filename(year, dataset, fmt))


@bp.get("/review/report")
def dic_report():
    require(can.can_see_review_lists(actor()), "report")
    session = get_session()
    if "period" not in request.args:
        years = sorted(periods(session), reverse=True)
        return render_template("opendata/report.html", years=years, chosen=latest_verified_period(session),
                               formats=exporting.REPORT_FORMATS)
    year = period_or_404(session, request.args.get("period")).year
    basis = check_basis(request.args.get("basis"))
    fmt = request.args.get("format") or "xlsx"
    if fmt not in exporting.REPORT_FORMATS:
        raise ValidationFailed(N_("Định dạng phải là xlsx hoặc csv."), fields={"format": N_("không hợp lệ")})
    body = exporting.dic_report(session, year, fmt, basis)
    name, fallback = exporting.report_filename(year, basis, fmt)
    return attachment(body, fmt, name, fallback, cache=PRIVATE_CACHE)

