"""Administration: agencies, services, users, periods, targets (administrators only).

Every page asks permissions.can_administer first (the answer does not depend
on the record, so a refusal says nothing about which records exist), then
loads (404), checks the form (422 with the messages beside the fields), makes
ONE call into registry.administration, commits, and redirects. A domain error
is rolled back and shown on the form, with its status (422 or 409).
"""

from dataclasses import dataclass
from math import ceil

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from registry import administration
from registry import permissions as can
from registry.core.errors import DomainError, translate
from registry.core.validation import clean_text
from registry.dataio import importing
from registry.models import (
    REPORT_COUNTS,
    REPORT_FLAGS,
    Agency,
    Kind,
    PeriodStatus,
    ReportingPeriod,
    Role,
    Service,
    State,
    Submission,
    Target,
    Tier,
    User,
)
from registry.targets.engine import definition_errors
from registry.web.admin_forms import (
    IMPORT_KIND_LABELS,
    AgencyForm,
    ButtonForm,
    ImportForm,
    PasswordResetForm,
    PeriodForm,
    ServiceForm,
    TargetForm,
    UserCreateForm,
    UserEditForm,
    form_values,
)
from registry.web.auth import actor
from registry.web.db import get_session
from registry.web.gate import require

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50
DATALIST_LIMIT = 1000  # agency codes offered as suggestions in a form


def _require(entity: str, key=None) -> None:
    require(can.can_administer(actor()), entity, key)


def _load(model, key):
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


def _page_number() -> int:
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), 1_000_000)


def _paginate(statement, count_statement) -> Page:
    session = get_session()
    total = session.execute(count_statement).scalar_one()
    number = min(_page_number(), max(1, ceil(total / PER_PAGE)))
    items = session.execute(statement.limit(PER_PAGE).offset((number - 1) * PER_PAGE)).all()
    return Page(items, number, total)


def _contains(text: str):
    """A LIKE pattern for ``text`` anywhere, with its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(columns, query: str):
    pattern = _contains(query)
    return or_(*[func.lower(c).like(pattern.lower(), escape="\\") for c in columns])


def _active_filter(column, value: str):
    if value == "1":
        return column.is_(True)
    if value == "0":
        return column.is_(False)
    return None


def _args(*names) -> dict:
    return {name: clean_text(request.args.get(name, ""))[:200] for name in names}


def _agency_codes():
    session = get_session()
    return session.execute(select(Agency.code, Agency.name).where(Agency.active)
                           .order_by(Agency.code).limit(DATALIST_LIMIT)).all()


# --- errors from the operations ---------------------------------------------------

def _show_error(form, exc: DomainError) -> int:
    """Roll back and put the operation's messages on the form; returns the status."""
    get_session().rollback()
    flash(translate(exc.message, _), "error")
    for name, message in exc.fields.items():
        text = translate(message, _)
        if name in form:
            form[name].errors = [*form[name].errors, text]
        else:
            flash(text, "error")
    return exc.status


def _invalid_form() -> None:
    flash(_("Thông tin chưa hợp lệ; xem các mục được đánh dấu."), "error")


# --- index -------------------------------------------------------------------------

@bp.get("/")
def index():
    _require("admin")
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


# --- agencies ------------------------------------------------------------------------

@bp.get("/agencies")
def agencies():
    _require("agency")
    filters = _args("tier", "kind", "active", "q")
    parent = aliased(Agency)
    conditions = []
    if filters["tier"] in [t.value for t in Tier]:
        conditions.append(Agency.tier == filters["tier"])
    if filters["kind"] in [k.value for k in Kind]:
        conditions.append(Agency.kind == filters["kind"])
    active = _active_filter(Agency.active, filters["active"])
    if active is not None:
        conditions.append(active)
    if filters["q"]:
        conditions.append(_search([Agency.code, Agency.name, Agency.name_en], filters["q"]))
    statement = (select(Agency, parent.code.label("parent_code"))
                 .join(parent, parent.id == Agency.parent_id, isouter=True)
                 .where(*conditions).order_by(Agency.code))
    page = _paginate(statement, select(func.count()).select_from(Agency).where(*conditions))
    return render_template("admin/agencies.html", page=page, filters=filters, tiers=list(Tier), kinds=list(Kind))


def _agency_page(form, agency=None, status=200):
    return render_template("admin/agency_form.html", form=form, agency=agency, agency_codes=_agency_codes()), status


@bp.route("/agencies/new", methods=["GET", "POST"])
def agency_new():
    _require("agency")
    form = AgencyForm()
    if request.method == "POST":
        if not form.validate():
            _invalid_form()
            return _agency_page(form, status=422)
        session = get_session()
        try:
            agency = administration.create_agency(session, actor(), form_values(form, administration.AGENCY_FIELDS))
        except DomainError as exc:
            return _agency_page(form, status=_show_error(form, exc))
        session.commit()
        flash(_("Đã thêm cơ quan %(code)s.", code=agency.code), "info")
        return redirect(url_for(".agencies"))
    return _agency_page(form)


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
def agency_edit(agency_id: int):
    _require("agency", agency_id)
    agency = _load(Agency, agency_id)
    session = get_session()
    if request.method == "POST":
        form = AgencyForm()
        if not form.validate():
            _invalid_form()
            return _agency_page(form, agency, 422)
        try:
            administration.update_agency(session, actor(), agency, form_values(form, administration.AGENCY_FIELDS))
        except DomainError as exc:
            return _agency_page(form, agency, _show_error(form, exc))
        session.commit()
        flash(_("Đã lưu cơ quan %(code)s.", code=agency.code), "info")
        return redirect(url_for(".agencies"))
    form = AgencyForm(data=administration.agency_values(session, agency))
    return _agency_page(form, agency)


# --- services -------------------------------------------------------------------------

@bp.get("/services")
def services():
    _require("service")
    filters = _args("agency", "sector", "active", "q")
    conditions = []
    if filters["agency"]:
        conditions.append(Agency.code == filters["agency"])
    if filters["sector"]:
        conditions.append(Service.sector == filters["sector"])
    active = _active_filter(Service.active, filters["active"])
    if active is not None:
        conditions.append(active)
    if filters["q"]:
        conditions.append(_search([Service.code, Service.name, Service.name_en], filters["q"]))
    statement = (select(Service, Agency.code.label("agency_code"), Agency.name.label("agency_name"),
                        Agency.active.label("agency_active"))
                 .join(Agency, Agency.id == Service.agency_id).where(*conditions).order_by(Service.code))
    count = select(func.count()).select_from(Service).join(Agency, Agency.id == Service.agency_id).where(*conditions)
    page = _paginate(statement, count)
    return render_template("admin/services.html", page=page, filters=filters, sectors=_sectors(),
                           agency_codes=_agency_codes())


def _sectors():
    return get_session().execute(select(Service.sector).distinct().order_by(Service.sector)
                                 .limit(DATALIST_LIMIT)).scalars().all()


def _service_page(form, service=None, status=200):
    return render_template("admin/service_form.html", form=form, service=service, agency_codes=_agency_codes(),
                           sectors=_sectors()), status


@bp.route("/services/new", methods=["GET", "POST"])
def service_new():
    _require("service")
    form = ServiceForm()
    if request.method == "GET" and request.args.get("agency"):
        form.agency_code.data = request.args["agency"][:64]
    if request.method == "POST":
        if not form.validate():
            _invalid_form()
            return _service_page(form, status=422)
        session = get_session()
        try:
            service = administration.create_service(session, actor(), form_values(form, administration.SERVICE_FIELDS))
        except DomainError as exc:
            return _service_page(form, status=_show_error(form, exc))
        session.commit()
        flash(_("Đã thêm dịch vụ %(code)s.", code=service.code), "info")
        return redirect(url_for(".services"))
    return _service_page(form)


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
def service_edit(service_id: int):
    _require("service", service_id)
    service = _load(Service, service_id)
    session = get_session()
    if request.method == "POST":
        form = ServiceForm()
        if not form.validate():
            _invalid_form()
            return _service_page(form, service, 422)
        try:
            administration.update_service(session, actor(), service,
                                          form_values(form, administration.SERVICE_FIELDS))
        except DomainError as exc:
            return _service_page(form, service, _show_error(form, exc))
        session.commit()
        flash(_("Đã lưu dịch vụ %(code)s.", code=service.code), "info")
        return redirect(url_for(".services"))
    form = ServiceForm(data=administration.service_values(session, service))
    return _service_page(form, service)


# --- users ------------------------------------------------------------------------------

@bp.get("/users")
def users():
    _require("user")
    filters = _args("role", "active", "q")
    conditions = []
    if filters["role"] in [r.value for r in Role]:
        conditions.append(User.role == filters["role"])
    active = _active_filter(User.active, filters["active"])
    if active is not None:
        conditions.append(active)
    if filters["q"]:
        conditions.append(_search([User.email], filters["q"]))
    statement = (select(User, Agency.code.label("agency_code"), Agency.name.label("agency_name"))
                 .join(Agency, Agency.id == User.agency_id, isouter=True).where(*conditions).order_by(User.email))
    page = _paginate(statement, select(func.count()).select_from(User).where(*conditions))
    return render_template("admin/users.html", page=page, filters=filters, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    _require("user")
    form = UserCreateForm()

    def page(status=200):
        return render_template("admin/user_new.html", form=form, agency_codes=_agency_codes()), status

    if request.method == "POST":
        if not form.validate():
            _invalid_form()
            return page(422)
        session = get_session()
        try:
            user = administration.create_user(session, actor(),
                                              form_values(form, ("email", "role", "agency_code", "password")))
        except DomainError as exc:
            return page(_show_error(form, exc))
        session.commit()
        flash(_("Đã tạo người dùng %(email)s.", email=user.email), "info")
        return redirect(url_for(".users"))
    return page()


def _user_page(user, form=None, password_form=None, status=200):
    session = get_session()
    if form is None:
        form = UserEditForm(formdata=None, data=administration.user_values(session, user))
    return render_template("admin/user_edit.html", user=user, form=form,
                           password_form=password_form or PasswordResetForm(formdata=None),
                           is_self=user.id == actor().id, agency_codes=_agency_codes()), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    _require("user", user_id)
    user = _load(User, user_id)
    if request.method == "POST":
        form = UserEditForm()
        if not form.validate():
            _invalid_form()
            return _user_page(user, form, status=422)
        session = get_session()
        try:
            administration.update_user(session, actor(), user, form_values(form, administration.USER_FIELDS))
        except DomainError as exc:
            return _user_page(user, form, status=_show_error(form, exc))
        session.commit()
        flash(_("Đã lưu người dùng %(email)s.", email=user.email), "info")
        return redirect(url_for(".users"))
    return _user_page(user)


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    _require("user", user_id)
    user = _load(User, user_id)
    form = PasswordResetForm()
    if not form.validate():
        _invalid_form()
        return _user_page(user, password_form=form, status=422)
    session = get_session()
    me = actor()
    try:
        administration.reset_password(session, me, user, form.password.data,
                                      keep_token=me.token if me.id == user.id else None)
    except DomainError as exc:
        return _user_page(user, password_form=form, status=_show_error(form, exc))
    session.commit()
    flash(_("Đã đặt lại mật khẩu của %(email)s; các phiên đăng nhập của người này đã kết thúc.",
            email=user.email), "info")
    return redirect(url_for(".user_edit", user_id=user.id))


# --- reporting periods ---------------------------------------------------------------------

def _periods_page(form, status=200):
    session = get_session()
    periods = session.execute(select(ReportingPeriod).order_by(ReportingPeriod.year.desc())).scalars().all()
    counts: dict[int, dict[str, int]] = {}
    for year, state, number in session.execute(
            select(Submission.period_year, Submission.state, func.count())
            .group_by(Submission.period_year, Submission.state)):
        counts.setdefault(year, {})[state] = number
    return render_template("admin/periods.html", periods=periods, counts=counts, states=[s.value for s in State],
                           form=form, button=ButtonForm(formdata=None)), status


@bp.get("/periods")
def periods():
    _require("reporting_period")
    return _periods_page(PeriodForm(formdata=None))


@bp.post("/periods")
def period_new():
    _require("reporting_period")
    form = PeriodForm()
    if not form.validate():
        _invalid_form()
        return _periods_page(form, 422)
    session = get_session()
    try:
        period = administration.create_period(session, actor(), form.year.data)
    except DomainError as exc:
        return _periods_page(form, _show_error(form, exc))
    session.commit()
    flash(_("Đã tạo kỳ báo cáo %(year)s (đang mở).", year=period.year), "info")
    return redirect(url_for(".periods"))


def _set_period(year: int, status: str, message: str):
    _require("reporting_period", year)
    period = _load(ReportingPeriod, year)
    form = ButtonForm()
    if not form.validate():
        flash(_("Phiên làm việc đã hết hạn; hãy tải lại trang và thử lại."), "error")
        return redirect(url_for(".periods"))
    session = get_session()
    try:
        administration.set_period_status(session, actor(), period, status)
    except DomainError as exc:
        session.rollback()
        flash(translate(exc.message, _), "error")
        return _periods_page(PeriodForm(formdata=None), exc.status)
    session.commit()
    flash(message, "info")
    return redirect(url_for(".periods"))


@bp.post("/periods/<int:year>/open")
def period_open(year: int):
    return _set_period(year, PeriodStatus.open.value, _("Đã mở kỳ báo cáo %(year)s.", year=year))


@bp.post("/periods/<int:year>/close")
def period_close(year: int):
    return _set_period(year, PeriodStatus.closed.value, _("Đã khóa kỳ báo cáo %(year)s.", year=year))


# --- targets -----------------------------------------------------------------------------

@bp.get("/targets")
def targets():
    _require("target")
    rows = get_session().execute(select(Target).order_by(Target.position, Target.code)).scalars().all()
    return render_template("admin/targets.html", targets=rows,
                           unusable={t.id for t in rows if definition_errors(t)})


def _target_page(form, target=None, status=200):
    return render_template("admin/target_form.html", form=form, target=target, tiers=list(Tier), kinds=list(Kind),
                           report_flags=REPORT_FLAGS, report_counts=REPORT_COUNTS), status


def _target_form_data(target: Target) -> dict:
    data = administration.target_values(target)
    data["flags"] = [f.strip() for f in (target.flags or "").split(",") if f.strip()]
    data["min_level"] = "" if target.min_level is None else str(target.min_level)
    for name in ("numerator_field", "denominator_field", "scope"):
        data[name] = data[name] or ""
    data["threshold"], data["deadline"], data["position"] = (str(target.threshold), str(target.deadline),
                                                              str(target.position))
    return data


@bp.route("/targets/new", methods=["GET", "POST"])
def target_new():
    _require("target")
    form = TargetForm()
    if request.method == "POST":
        if not form.validate():
            _invalid_form()
            return _target_page(form, status=422)
        session = get_session()
        try:
            target = administration.create_target(session, actor(), form_values(form, administration.TARGET_FIELDS))
        except DomainError as exc:
            return _target_page(form, status=_show_error(form, exc))
        session.commit()
        flash(_("Đã thêm chỉ tiêu %(code)s.", code=target.code), "info")
        return redirect(url_for(".targets"))
    return _target_page(form)


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
def target_edit(target_id: int):
    _require("target", target_id)
    target = _load(Target, target_id)
    if request.method == "POST":
        form = TargetForm()
        if not form.validate():
            _invalid_form()
            return _target_page(form, target, 422)
        session = get_session()
        try:
            administration.update_target(session, actor(), target, form_values(form, administration.TARGET_FIELDS))
        except DomainError as exc:
            return _target_page(form, target, _show_error(form, exc))
        session.commit()
        flash(_("Đã lưu chỉ tiêu %(code)s.", code=target.code), "info")
        return redirect(url_for(".targets"))
    return _target_page(TargetForm(data=_target_form_data(target)), target)


# --- import ---------------------------------------------------------------------------

IMPORT_ERRORS_SHOWN = 500  # a file can have a problem on every one of its rows


def _import_page(form, result=None, dry_run=False, status=200):
    errors = [(e.row, e.column, translate(e.reason, _)) for e in result.errors[:IMPORT_ERRORS_SHOWN]] if result else []
    return render_template("admin/import.html", form=form, result=result, errors=errors, dry_run=dry_run,
                           formats=importing.FORMATS, kinds=IMPORT_KIND_LABELS), status


@bp.route("/import", methods=["GET", "POST"])
def import_data():
    """Upload a CSV or XLSX: "check" reports every bad row and writes nothing; "import"
    writes all the rows or, when any is bad, none and the same report."""
    _require("import")
    form = ImportForm()
    if request.method == "GET":
        return _import_page(form)
    if not form.validate():
        _invalid_form()
        return _import_page(form, status=422)
    dry_run = bool(form.check.data)
    upload = form.file.data
    session = get_session()
    try:
        result = importing.import_file(session, form.kind.data, upload.filename or "", upload.read(),
                                       actor=actor(), as_verified=form.as_verified.data)
    except DomainError as exc:
        return _import_page(form, status=_show_error(form, exc))
    if not result.ok or dry_run:
        session.rollback()
        return _import_page(form, result, dry_run, status=200 if result.ok else 422)
    session.commit()
    flash(_("Đã nhập %(rows)s dòng: %(created)s thêm mới, %(updated)s cập nhật, %(unchanged)s không đổi.",
            rows=result.rows, created=result.created, updated=result.updated, unchanged=result.unchanged),
          "info")
    return redirect(url_for("admin.import_data"))
