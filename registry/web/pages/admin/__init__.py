"""Administration: agencies, services, users, periods, targets, imports (administrators only).

Every page asks permissions.can_administer first (the answer does not depend
on the record, so a refusal says nothing about which records exist), then
loads (404), checks the form (422 with the messages beside the fields), makes
ONE call into the domain, and redirects; the request commits (web/lifecycle.py).
A domain error is rolled back and shown on the form, with its status (422 or 409).
"""

from dataclasses import dataclass
from math import ceil

from flask import Blueprint, abort, flash, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, or_
from sqlmodel import select

from registry import permissions as can
from registry.core.validation import clean_text
from registry.models import Agency, PeriodStatus, ReportingPeriod, Service, Target, User
from registry.web.auth import actor
from registry.web.db import get_session
from registry.web.gate import require

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50
DATALIST_LIMIT = 1000  # agency codes offered as suggestions in a form


def require_admin(entity: str, key=None) -> None:
    require(can.can_administer(actor()), entity, key)


def load(model, key):
    record = get_session().get(model, key)
    if record is None:
        abort(404)
    return record


# --- lists: filters and paging ----------------------------------------------------

@dataclass
class Page:
    items: list
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number() -> int:
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), 1_000_000)


def paginate(statement, count_statement) -> Page:
    session = get_session()
    total = session.execute(count_statement).scalar_one()
    number = min(page_number(), max(1, ceil(total / PER_PAGE)))
    items = session.execute(statement.limit(PER_PAGE).offset((number - 1) * PER_PAGE)).all()
    return Page(items, number, total)


def contains(text: str):
    """A LIKE pattern for ``text`` anywhere, with its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(columns, query: str):
    pattern = contains(query)
    return or_(*[func.lower(c).like(pattern.lower(), escape="\\") for c in columns])


def active_filter(column, value: str):
    if value == "1":
        return column.is_(True)
    if value == "0":
        return column.is_(False)
    return None


def args(*names) -> dict:
    return {name: clean_text(request.args.get(name, ""))[:200] for name in names}


def agency_codes():
    session = get_session()
    return session.execute(select(Agency.code, Agency.name).where(Agency.active)
                           .order_by(Agency.code).limit(DATALIST_LIMIT)).all()


def invalid_form() -> None:
    flash(_("Thông tin chưa hợp lệ; xem các mục được đánh dấu."), "error")


# --- index -------------------------------------------------------------------------

@bp.get("/")
def index():
    require_admin("admin")
    session = get_session()

    def count(model, *conditions):
        return session.execute(select(func.count()).select_from(model).where(*conditions)).scalar_one()

    counts = {
        "agencies": count(Agency), "agencies_active": count(Agency, Agency.active),
        "services": count(Service), "services_active": count(Service, Service.active),
        "users": count(User), "users_active": count(User, User.active),
        "periods": count(ReportingPeriod),
        "periods_open": count(ReportingPeriod, ReportingPeriod.status == PeriodStatus.open.value),
        "targets": count(Target), "targets_active": count(Target, Target.active),
    }
    return render_template("admin/index.html", counts=counts)



from registry.web.pages.admin import (  # noqa: E402,F401  (their routes join bp)
    importing,
    periods,
    records,
    season,
    users,
    versions,  # noqa: E402,F401  (target versions, rule 11)
)
