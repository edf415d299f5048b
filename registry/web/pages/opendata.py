"""Open data downloads and the DIC's report.

The files are made by registry/dataio/ (opendata.py, dic_report.py) as streams of bytes chunks; the
views here check the request (404 for an unknown period, data set or format;
the permission for the report), set the response headers and hand the stream
on, so that a national catalogue starts downloading at once and is never held
whole in memory. An open-data file carries a weak ETag of the verified
figures' generation (target_cache.py): asking again costs one query until an
auditor verifies something. The file itself is made once per generation of the
period's figures, kept under the instance folder (``opendata/``) and sent as a
file (registry/dataio/opendata.py ``built_file``): a download then costs a stat
and a sendfile, with a strong ETag, ``If-Range`` and ``Range`` (werkzeug).
"""

from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request, send_file

from registry import permissions as can
from registry.core import generations
from registry.core.errors import N_, ValidationFailed
from registry.dataio import dic_report as report
from registry.dataio import opendata
from registry.dataio.streams import MEDIA_TYPES
from registry.submissions.periods import check_basis, latest_verified_period, period_or_404
from registry.targets.trend import periods
from registry.web.auth import actor
from registry.web.db import get_session
from registry.web.gate import require
from registry.web.revalidation import REVALIDATE, not_modified, validator

bp = Blueprint("opendata", __name__)

DATASET_CONVERTER = "any(" + ",".join(opendata.DATASETS) + ")"
FORMAT_CONVERTER = "any(" + ",".join(opendata.OPEN_DATA_FORMATS) + ")"
# Anyone may keep an open-data file, but must ask whether it changed (one query).
PUBLIC_CACHE = "public, " + REVALIDATE
PRIVATE_CACHE = "private, no-store"


def _closing(chunks, session):
    """``chunks``, with the session closed as soon as the last one is made: the body is
    read after the view has returned and the request's teardown has closed its session
    (the rows opened it again), and a reader that stops at the last byte without
    closing the response (a proxy, a test client) must not keep a transaction open."""
    try:
        chunk = next(chunks, None)
        while chunk is not None:
            following = next(chunks, None)
            if following is None:
                session.close()
            yield chunk
            chunk = following
    finally:
        session.close()


def attachment(chunks, session, fmt: str, filename: str, fallback: str | None = None,
               cache: str = PUBLIC_CACHE) -> Response:
    """A download streamed from ``chunks`` read with ``session``: the type, the file
    name (RFC 6266, UTF-8) and the caching."""
    response = Response(_closing(chunks, session), content_type=MEDIA_TYPES[fmt])
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
        "opendata/index.html", years=years, verified_years=opendata.periods_with_verified_data(session),
        datasets=opendata.DATASETS, formats=opendata.OPEN_DATA_FORMATS, columns=opendata.COLUMNS)


@bp.get(f"/open-data/<int:year>/<{DATASET_CONVERTER}:dataset>.<{FORMAT_CONVERTER}:fmt>")
def download(year: int, dataset: str, fmt: str):
    session = generations.only_reads(get_session())
    period_or_404(session, year)
    tokens = generations.tokens(session, opendata.OPEN_DATA_BASIS)
    etag = validator(generations.stamp(tokens, year), year, dataset, fmt) if tokens else None
    unchanged = not_modified(etag) if etag else None
    if unchanged is not None:
        return unchanged
    if etag is None:  # no generation to name the file by: made for this request
        chunks = opendata.open_data_stream(session, dataset, year, fmt)
        return attachment(chunks, session, fmt, opendata.open_data_filename(year, dataset, fmt))
    generation = f"{generations.stamp(tokens, year)}\x1f{session.get_bind().url}"
    folder = Path(current_app.instance_path) / "opendata"
    for _attempt in range(2):
        path = opendata.built_file(session, folder, dataset, year, fmt, generation)
        try:
            # send_file opens the file now; a newer generation may have removed it just before
            response = send_file(path, mimetype=MEDIA_TYPES[fmt], as_attachment=True,
                                 download_name=opendata.open_data_filename(year, dataset, fmt),
                                 conditional=True, etag=etag, max_age=None)
            break
        except FileNotFoundError:
            continue
    else:
        chunks = opendata.open_data_stream(session, dataset, year, fmt)
        return attachment(chunks, session, fmt, opendata.open_data_filename(year, dataset, fmt))
    filename = opendata.open_data_filename(year, dataset, fmt)
    response.headers["Content-Type"] = MEDIA_TYPES[fmt]
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename, safe='')}")
    response.headers["Cache-Control"] = PUBLIC_CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/review/report")
def dic_report():
    require(can.can_see_review_lists(actor()), "report")
    session = generations.only_reads(get_session())
    if "period" not in request.args:
        years = sorted(periods(session), reverse=True)
        return render_template("opendata/report.html", years=years, chosen=latest_verified_period(session),
                               formats=report.REPORT_FORMATS)
    year = period_or_404(session, request.args.get("period")).year
    basis = check_basis(request.args.get("basis"))
    fmt = request.args.get("format") or "xlsx"
    if fmt not in report.REPORT_FORMATS:
        raise ValidationFailed(N_("Định dạng phải là xlsx hoặc csv."), fields={"format": N_("không hợp lệ")})
    chunks = report.dic_report_stream(session, year, fmt, basis)
    name, fallback = report.report_filename(year, basis, fmt)
    return attachment(chunks, session, fmt, name, fallback, cache=PRIVATE_CACHE)

