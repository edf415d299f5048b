"""The public pages: no sign-in, verified data only."""

from flask import Blueprint, render_template, request

from ..db import get_session
from ..demo import is_loaded as demo_loaded
from ..reading import latest_verified_period, period_or_404
from ..targets import compute_targets, periods

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    session = get_session()
    year = request.args.get("period") or latest_verified_period(session)
    results = []
    if year is not None:
        year = period_or_404(session, year).year
        results = compute_targets(session, year, "verified")
    return render_template("public/index.html", results=results, period=year, periods=periods(session),
                           demo=demo_loaded(session))
