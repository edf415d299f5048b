"""Administration (SPEC §1, §4): agencies, the service catalogue, users,
reporting periods and target definitions.

Plain operations over a database session, with no Flask: the admin pages, the
CLI or a script call the same functions. Each one checks every value it is
given (strings as a form sends them, or Python values), reports every problem
at once as ``{field: message}`` in a ``ValidationFailed`` (or a ``Conflict``
when the only problem is a code, e-mail or year that is already taken),
writes, records an audit event with the values before and after, and flushes.
The caller commits.

Update operations take the fields to change; a field left out keeps its value.
"""

from typing import Any, Iterable

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from registry import audit
from registry.accounts import users as accounts
from registry.catalogue.levels import LEVELS, MAX_LEVEL, MIN_LEVEL
from registry.core.errors import N_, Conflict, Msg, ValidationFailed
from registry.core.validation import MAX_COUNT, FieldReader, clean_text, parse_bool
from registry.models import (
    REPORT_COUNTS,
    REPORT_FLAGS,
    Agency,
    Comparator,
    Formula,
    Kind,
    PeriodStatus,
    ReportingPeriod,
    Role,
    Service,
    Target,
    Tier,
    Unit,
    User,
)
from registry.targets import cache as target_cache
from registry.targets.engine import definition_errors, parse_scope

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_POSITION = 100_000

AGENCY_FIELDS = ("code", "name", "name_en", "tier", "kind", "parent_code", "active")
SERVICE_FIELDS = ("code", "name", "name_en", "agency_code", "sector", "active")
USER_FIELDS = ("role", "agency_code", "active")
TARGET_FIELDS = ("code", "title_vi", "title_en", "citation", "unit", "comparator", "threshold", "deadline",
                 "formula", "min_level", "flags", "numerator_field", "denominator_field", "scope", "position",
                 "active")

# The formula parameters each kind of target uses; the others are cleared.
FORMULA_PARAMETERS = {
    Formula.service_level_share.value: ("min_level",),
    Formula.service_level_count.value: ("min_level",),
    Formula.agency_flag_share.value: ("flags", "scope"),
    Formula.report_sum_ratio.value: ("numerator_field", "denominator_field", "scope"),
}
PARAMETERS = ("min_level", "flags", "numerator_field", "denominator_field", "scope")

# What targets.definition_errors names, as a message for the page.
DEFINITION_MESSAGES = {
    "min_level": N_("hãy chọn mức độ dịch vụ phải đạt"),
    "flags": N_("hãy chọn ít nhất một tiêu chí của báo cáo"),
    "numerator_field": N_("hãy chọn một số liệu của báo cáo"),
    "denominator_field": N_("hãy chọn một số liệu của báo cáo"),
    "formula": N_("công thức không hợp lệ"),
    "unit": N_("đơn vị «số lượng» chỉ dùng với công thức đếm số dịch vụ"),
}


# --- checking ---------------------------------------------------------------------

class _Fields(FieldReader):
    """Reads the values of one form, collecting a message per bad field."""

    def __init__(self, values: dict[str, Any]):
        super().__init__(values)
        self.errors: dict[str, str] = {}
        self.taken: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def choice(self, name: str, allowed: Iterable[str], required: bool = True) -> str | None:
        allowed = list(allowed)
        value = clean_text(self.values.get(name))
        if not value and not required:
            return None
        if value not in allowed:
            self.fail(name, Msg(N_("phải là một trong: %(choices)s"), choices=", ".join(allowed)))
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        if value is None or not clean_text(value):
            return False
        try:
            return parse_bool(value)
        except ValueError as exc:
            self.fail(name, exc.args[0])
            return None

    def integer(self, name: str, low: int, high: int, required: bool = True,
                range_message: str | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or (isinstance(value, str) and not clean_text(value)):
            if required:
                self.fail(name, N_("bắt buộc"))
            return None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        else:
            text = clean_text(value)
            number = int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None
        if number is None:
            self.fail(name, N_("phải là số nguyên không âm"))
            return None
        if not low <= number <= high:
            self.fail(name, range_message or Msg(N_("phải trong khoảng %(low)s–%(high)s"), low=low, high=high))
            return None
        return number

    def year(self, name: str) -> int | None:
        return self.integer(name, MIN_YEAR, MAX_YEAR, range_message=N_("năm phải trong khoảng 2000–2100"))

    def check(self, message: str) -> None:
        """Raise when anything is wrong: every problem at once, a conflict alone as 409."""
        if self.errors:
            raise ValidationFailed(message, fields={**self.taken, **self.errors})
        if self.taken:
            raise Conflict(message, fields=dict(self.taken))


def _merge(current: dict, changes: dict, names: Iterable[str]) -> dict:
    unknown = set(changes) - set(names)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    return {**current, **changes}


def _flush(session: Session, message: str, fields: dict[str, str]) -> None:
    """Flush; a unique constraint another request won the race for is a conflict, not a 500."""
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(message, fields=fields) from None


def _write(obj, values: dict) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


def _by_code(session: Session, model, code: str | None):
    if not code:
        return None
    return session.exec(select(model).where(model.code == code)).first()


# --- agencies -----------------------------------------------------------------------

def agency_values(session: Session, agency: Agency) -> dict:
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    return {"code": agency.code, "name": agency.name, "name_en": agency.name_en, "tier": agency.tier,
            "kind": agency.kind, "parent_code": parent.code if parent else None, "active": agency.active}


def _check_agency(session: Session, values: dict, agency: Agency | None) -> tuple[dict, Agency | None]:
    f = _Fields(values)
    clean = {
        "code": f.code("code"),
        "name": f.text("name", 255),
        "name_en": f.text("name_en", 255, required=False),
        "tier": f.choice("tier", [t.value for t in Tier]),
        "kind": f.choice("kind", [k.value for k in Kind]),
        "parent_code": clean_text(values.get("parent_code")) or None,
        "active": f.boolean("active"),
    }
    code = clean["code"]
    if code and "code" not in f.errors:
        other = _by_code(session, Agency, code)
        if other is not None and (agency is None or other.id != agency.id):
            f.taken["code"] = Msg(N_("đã có cơ quan mã %(code)s"), code=code)
    parent = None
    parent_code = clean["parent_code"]
    if parent_code:
        parent = _by_code(session, Agency, parent_code)
        if parent_code == code or (parent is not None and agency is not None and parent.id == agency.id):
            f.fail("parent_code", N_("cơ quan không thể là cấp trên của chính nó"))
        elif parent is None:
            f.fail("parent_code", Msg(N_("không có cơ quan mã %(code)s"), code=parent_code))
        elif agency is not None and _is_descendant(session, parent, agency):
            f.fail("parent_code", N_("quan hệ cấp trên tạo thành vòng lặp"))
    f.check(N_("Thông tin cơ quan chưa hợp lệ."))
    return clean, parent


def _is_descendant(session: Session, candidate: Agency, agency: Agency) -> bool:
    """Whether ``agency`` is ``candidate`` or one of its ancestors (so ``candidate``
    cannot become ``agency``'s parent)."""
    seen = set()
    current = candidate
    while current is not None and current.id not in seen:
        if current.id == agency.id:
            return True
        seen.add(current.id)
        current = session.get(Agency, current.parent_id) if current.parent_id else None
    return False


def _agency_row(clean: dict, parent: Agency | None) -> dict:
    row = {k: v for k, v in clean.items() if k != "parent_code"}
    row["parent_id"] = parent.id if parent else None
    return row


def create_agency(session: Session, actor: User | None, values: dict, source: str | None = "web") -> Agency:
    values = _merge({"active": True}, values, AGENCY_FIELDS)
    clean, parent = _check_agency(session, values, None)
    agency = Agency(**_agency_row(clean, parent))
    session.add(agency)
    _flush(session, N_("Thông tin cơ quan chưa hợp lệ."),
           {"code": Msg(N_("đã có cơ quan mã %(code)s"), code=clean["code"])})
    audit.record(session, actor, "agency.create", "agency", agency.code, after=clean, source=source)
    target_cache.invalidate(session)
    session.flush()
    return agency


def update_agency(session: Session, actor: User | None, agency: Agency, changes: dict,
                  source: str | None = "web") -> Agency:
    before = agency_values(session, agency)
    clean, parent = _check_agency(session, _merge(before, changes, AGENCY_FIELDS), agency)
    old, new = audit.changes(before, clean)
    if not new:
        return agency
    _write(agency, _agency_row(clean, parent))
    _flush(session, N_("Thông tin cơ quan chưa hợp lệ."),
           {"code": Msg(N_("đã có cơ quan mã %(code)s"), code=clean["code"])})
    audit.record(session, actor, "agency.update", "agency", agency.code, old, new, source=source)
    target_cache.invalidate(session)
    session.flush()
    return agency


# --- services -----------------------------------------------------------------------

def service_values(session: Session, service: Service) -> dict:
    agency = session.get(Agency, service.agency_id)
    return {"code": service.code, "name": service.name, "name_en": service.name_en,
            "agency_code": agency.code if agency else None, "sector": service.sector, "active": service.active}


def _check_service(session: Session, values: dict, service: Service | None) -> tuple[dict, Agency | None]:
    f = _Fields(values)
    clean = {
        "code": f.code("code"),
        "name": f.text("name", 500),
        "name_en": f.text("name_en", 500, required=False),
        "agency_code": clean_text(values.get("agency_code")) or None,
        "sector": f.text("sector", 128),
        "active": f.boolean("active"),
    }
    code = clean["code"]
    if code and "code" not in f.errors:
        other = _by_code(session, Service, code)
        if other is not None and (service is None or other.id != service.id):
            f.taken["code"] = Msg(N_("đã có dịch vụ mã %(code)s"), code=code)
    agency = None
    if not clean["agency_code"]:
        f.fail("agency_code", N_("bắt buộc"))
    else:
        agency = _by_code(session, Agency, clean["agency_code"])
        if agency is None:
            f.fail("agency_code", Msg(N_("không có cơ quan mã %(code)s"), code=clean["agency_code"]))
    f.check(N_("Thông tin dịch vụ chưa hợp lệ."))
    return clean, agency


def _service_row(clean: dict, agency: Agency) -> dict:
    row = {k: v for k, v in clean.items() if k != "agency_code"}
    row["agency_id"] = agency.id
    return row


def create_service(session: Session, actor: User | None, values: dict, source: str | None = "web") -> Service:
    values = _merge({"active": True}, values, SERVICE_FIELDS)
    clean, agency = _check_service(session, values, None)
    service = Service(**_service_row(clean, agency))
    session.add(service)
    _flush(session, N_("Thông tin dịch vụ chưa hợp lệ."),
           {"code": Msg(N_("đã có dịch vụ mã %(code)s"), code=clean["code"])})
    audit.record(session, actor, "service.create", "service", service.code, after=clean, source=source)
    target_cache.invalidate(session)
    session.flush()
    return service


def update_service(session: Session, actor: User | None, service: Service, changes: dict,
                   source: str | None = "web") -> Service:
    before = service_values(session, service)
    clean, agency = _check_service(session, _merge(before, changes, SERVICE_FIELDS), service)
    old, new = audit.changes(before, clean)
    if not new:
        return service
    _write(service, _service_row(clean, agency))
    _flush(session, N_("Thông tin dịch vụ chưa hợp lệ."),
           {"code": Msg(N_("đã có dịch vụ mã %(code)s"), code=clean["code"])})
    audit.record(session, actor, "service.update", "service", service.code, old, new, source=source)
    target_cache.invalidate(session)
    session.flush()
    return service


# --- users ----------------------------------------------------------------------------

def user_values(session: Session, user: User) -> dict:
    agency = session.get(Agency, user.agency_id) if user.agency_id else None
    return {"email": user.email, "role": user.role, "agency_code": agency.code if agency else None,
            "active": user.active}


def _check_role_and_agency(session: Session, f: _Fields, values: dict) -> tuple:
    """(role, agency, agency code) of a user form; a focal point needs an agency."""
    role = f.choice("role", [r.value for r in Role])
    agency_code = clean_text(values.get("agency_code")) or None
    agency = None
    if agency_code:
        agency = _by_code(session, Agency, agency_code)
        if agency is None:
            f.fail("agency_code", Msg(N_("không có cơ quan mã %(code)s"), code=agency_code))
    elif role == Role.focal.value:
        f.fail("agency_code", N_("cán bộ đầu mối phải thuộc một cơ quan"))
    return role, agency, agency_code


def _check_password(f: _Fields, email: str, name: str = "password") -> str | None:
    password = f.values.get(name) or ""
    problem = accounts.password_problem(password, email)
    if problem is not None:
        f.fail(name, problem)
    return password


def create_user(session: Session, actor: User | None, values: dict, source: str | None = "web") -> User:
    """A new account: e-mail, role, agency (required for a focal point), initial password."""
    values = _merge({}, values, ("email", "role", "agency_code", "password"))
    f = _Fields(values)
    email = accounts.normalise_email(values.get("email"))
    if not email.isprintable() or not accounts.EMAIL_PATTERN.match(email) or len(email) > 254:
        f.fail("email", N_("địa chỉ e-mail không hợp lệ"))
    elif accounts.find_user(session, email) is not None:
        f.taken["email"] = Msg(N_("đã có người dùng %(email)s"), email=email)
    role, agency, agency_code = _check_role_and_agency(session, f, values)
    password = _check_password(f, email)
    f.check(N_("Không tạo được người dùng."))
    user = accounts.create_user(session, email, password, role, agency_code, actor=actor, source=source)
    return user


def update_user(session: Session, actor: User | None, user: User, changes: dict,
                source: str | None = "web") -> User:
    """Role, agency and active. Deactivation ends every sign-in of the user; an
    administrator cannot deactivate or demote themselves."""
    before = user_values(session, user)
    current = {k: before[k] for k in USER_FIELDS}
    values = _merge(current, changes, USER_FIELDS)
    f = _Fields(values)
    role, agency, agency_code = _check_role_and_agency(session, f, values)
    active = f.boolean("active")
    if actor is not None and actor.id == user.id:
        if role is not None and role != Role.admin.value:
            f.fail("role", N_("Bạn không thể tự bỏ quyền quản trị của chính mình."))
        if active is False:
            f.fail("active", N_("Bạn không thể tự khóa tài khoản của chính mình."))
    f.check(N_("Không cập nhật được người dùng."))
    after = {"role": role, "agency_code": agency.code if agency else None, "active": active}
    old, new = audit.changes(current, after)
    if not new:
        return user
    user.role = role
    user.agency_id = agency.id if agency else None
    user.active = active
    session.flush()
    if before["active"] and not active:
        from registry.web.auth import end_all_login_sessions  # auth.py needs Flask; only this path needs it

        end_all_login_sessions(session, user)
    audit.record(session, actor, "user.deactivate" if "active" in new and not active else "user.update",
                 "user", user.email, old, new, source=source)
    session.flush()
    return user


def reset_password(session: Session, actor: User | None, user: User, password: str,
                   keep_token: str | None = None, source: str | None = "web") -> User:
    """An administrator sets a new password; every sign-in of the user ends
    (except ``keep_token``, the administrator's own when resetting their own)."""
    f = _Fields({"password": password})
    _check_password(f, user.email)
    f.check(N_("Không đặt lại được mật khẩu."))
    accounts.set_password(session, user, password, actor)
    from registry.web.auth import end_all_login_sessions  # auth.py needs Flask; only this path needs it

    end_all_login_sessions(session, user, keep=keep_token)
    session.flush()
    return user


# --- reporting periods -------------------------------------------------------------------

def create_period(session: Session, actor: User | None, year, status: str = PeriodStatus.open.value,
                  source: str | None = "web") -> ReportingPeriod:
    f = _Fields({"year": year, "status": status})
    number = f.year("year")
    status = f.choice("status", [s.value for s in PeriodStatus])
    if number is not None and session.get(ReportingPeriod, number) is not None:
        f.taken["year"] = Msg(N_("đã có kỳ báo cáo %(year)s"), year=number)
    f.check(N_("Không tạo được kỳ báo cáo."))
    period = ReportingPeriod(year=number, status=status)
    session.add(period)
    _flush(session, N_("Không tạo được kỳ báo cáo."), {"year": Msg(N_("đã có kỳ báo cáo %(year)s"), year=number)})
    audit.record(session, actor, "period.create", "reporting_period", number, after={"status": status},
                 source=source)
    target_cache.invalidate(session, period=number)
    session.flush()
    return period


def set_period_status(session: Session, actor: User | None, period: ReportingPeriod, status: str,
                      source: str | None = "web") -> ReportingPeriod:
    """Open or close a period. Entries are edited only in an open period."""
    if status not in [s.value for s in PeriodStatus]:
        raise ValidationFailed(N_("Trạng thái kỳ báo cáo không hợp lệ."),
                               fields={"status": Msg(N_("phải là một trong: %(choices)s"),
                                                     choices=", ".join(s.value for s in PeriodStatus))})
    if period.status == status:
        if status == PeriodStatus.open.value:
            raise Conflict(N_("Kỳ báo cáo %(year)s đang mở rồi."), year=period.year)
        raise Conflict(N_("Kỳ báo cáo %(year)s đã khóa rồi."), year=period.year)
    before = period.status
    period.status = status
    session.flush()
    action = "period.open" if status == PeriodStatus.open.value else "period.close"
    audit.record(session, actor, action, "reporting_period", period.year, {"status": before}, {"status": status},
                 source=source)
    session.flush()
    return period


def open_period(session: Session, actor: User | None, period: ReportingPeriod, source: str | None = "web"):
    return set_period_status(session, actor, period, PeriodStatus.open.value, source)


def close_period(session: Session, actor: User | None, period: ReportingPeriod, source: str | None = "web"):
    return set_period_status(session, actor, period, PeriodStatus.closed.value, source)


# --- targets -----------------------------------------------------------------------------

def target_values(target: Target) -> dict:
    return {name: getattr(target, name) for name in TARGET_FIELDS}


def scope_errors(scope: str | None) -> str | None:
    """A message when ``scope`` (the syntax of targets.parse_scope) names a tier or
    kind that does not exist."""
    tiers = [t.value for t in Tier]
    kinds = [k.value for k in Kind]
    for tier, kind_set in parse_scope(scope):
        if tier is not None and tier not in tiers:
            return Msg(N_("không có cấp «%(value)s»; các cấp là: %(choices)s, hoặc *"),
                       value=tier, choices=", ".join(tiers))
        for kind in sorted(kind_set or ()):
            if kind not in kinds:
                return Msg(N_("không có loại cơ quan «%(value)s»; các loại là: %(choices)s, hoặc *"),
                           value=kind, choices=", ".join(kinds))
    return None


def _flag_list(value) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [clean_text(item) for item in items if clean_text(item)]


def _check_target(session: Session, values: dict, target: Target | None) -> dict:
    f = _Fields(values)
    clean = {
        "code": f.code("code"),
        "title_vi": f.text("title_vi", 1000),
        "title_en": f.text("title_en", 1000),
        "citation": f.text("citation", 1000),
        "unit": f.choice("unit", [u.value for u in Unit]),
        "comparator": f.choice("comparator", [c.value for c in Comparator]),
        "threshold": f.integer("threshold", 0, MAX_COUNT),
        "deadline": f.year("deadline"),
        "formula": f.choice("formula", [x.value for x in Formula]),
        "min_level": f.integer("min_level", MIN_LEVEL, MAX_LEVEL, required=False,
                               range_message=Msg(N_("mức độ phải là một trong %(levels)s"),
                                                 levels=", ".join(str(lv.number) for lv in LEVELS))),
        "numerator_field": f.choice("numerator_field", REPORT_COUNTS, required=False),
        "denominator_field": f.choice("denominator_field", REPORT_COUNTS, required=False),
        "scope": f.text("scope", 255, required=False),
        "position": f.integer("position", 0, MAX_POSITION, required=False) or 0,
        "active": f.boolean("active"),
    }
    flags = _flag_list(values.get("flags"))
    unknown = [flag for flag in flags if flag not in REPORT_FLAGS]
    if unknown:
        f.fail("flags", Msg(N_("phải là một trong: %(choices)s"), choices=", ".join(REPORT_FLAGS)))
    clean["flags"] = ",".join(flag for flag in REPORT_FLAGS if flag in flags) or None
    if clean["scope"] and "scope" not in f.errors:
        problem = scope_errors(clean["scope"])
        if problem:
            f.fail("scope", problem)
    if clean["unit"] == Unit.percent.value and clean["threshold"] is not None and clean["threshold"] > 100:
        f.fail("threshold", N_("tỷ lệ không được lớn hơn 100"))
    if clean["formula"] in FORMULA_PARAMETERS:
        used = FORMULA_PARAMETERS[clean["formula"]]
        for name in PARAMETERS:
            if name not in used:
                clean[name] = None  # parameters of another formula mean nothing here
                f.errors.pop(name, None)
        if clean["unit"] is not None and not f.errors.keys() & set(used):
            probe = Target(**clean)
            for name in definition_errors(probe):
                f.fail(name, DEFINITION_MESSAGES.get(name, N_("không hợp lệ")))
    code = clean["code"]
    if code and "code" not in f.errors:
        other = _by_code(session, Target, code)
        if other is not None and (target is None or other.id != target.id):
            f.taken["code"] = Msg(N_("đã có chỉ tiêu mã %(code)s"), code=code)
    f.check(N_("Định nghĩa chỉ tiêu chưa hợp lệ."))
    return clean


def create_target(session: Session, actor: User | None, values: dict, source: str | None = "web") -> Target:
    """A new target row; refused unless the target engine can compute it."""
    values = _merge({"active": True, "position": None}, values, TARGET_FIELDS)
    clean = _check_target(session, values, None)
    if values.get("position") in (None, ""):
        clean["position"] = (session.exec(select(func.max(Target.position))).first() or 0) + 1
    target = Target(**clean)
    session.add(target)
    _flush(session, N_("Định nghĩa chỉ tiêu chưa hợp lệ."),
           {"code": Msg(N_("đã có chỉ tiêu mã %(code)s"), code=clean["code"])})
    audit.record(session, actor, "target.create", "target", target.code, after=clean, source=source)
    target_cache.invalidate(session)
    session.flush()
    return target


def update_target(session: Session, actor: User | None, target: Target, changes: dict,
                  source: str | None = "web") -> Target:
    before = target_values(target)
    clean = _check_target(session, _merge(before, changes, TARGET_FIELDS), target)
    old, new = audit.changes(before, clean)
    if not new:
        return target
    _write(target, clean)
    _flush(session, N_("Định nghĩa chỉ tiêu chưa hợp lệ."),
           {"code": Msg(N_("đã có chỉ tiêu mã %(code)s"), code=clean["code"])})
    audit.record(session, actor, "target.update", "target", target.code, old, new, source=source)
    target_cache.invalidate(session)
    session.flush()
    return target
