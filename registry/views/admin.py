"""Administration: agencies, services, users, periods, targets."""

from flask import Blueprint, render_template

from .. import permissions as can
from ..auth import actor
from .guard import require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def index():
    require(can.can_administer(actor()), "admin")
    return render_template("admin/index.html")
