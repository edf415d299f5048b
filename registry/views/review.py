"""The auditor's pages: queue, review, late agencies, audit log."""

from flask import Blueprint, render_template

from .. import permissions as can
from ..auth import actor
from .guard import require

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
def queue():
    require(can.can_see_review_lists(actor()), "review")
    return render_template("review/queue.html")


@bp.get("/audit")
def audit_log():
    require(can.can_read_audit_log(actor()), "audit_log")
    return render_template("review/queue.html")
