"""The public pages: no sign-in, verified data only."""

from flask import Blueprint, render_template
from sqlmodel import select

from ..db import get_session
from ..models import AuditEvent, Target

bp = Blueprint("public", __name__)


def demo_loaded() -> bool:
    session = get_session()
    return session.exec(select(AuditEvent.id).where(AuditEvent.action == "demo.load").limit(1)).first() is not None


@bp.get("/")
def index():
    session = get_session()
    targets = session.exec(select(Target).where(Target.active).order_by(Target.position, Target.code)).all()
    return render_template("public/index.html", targets=targets, demo=demo_loaded())
