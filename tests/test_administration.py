"""The administration operations without HTTP: validation, conflicts, cycles,
users and their sign-ins, periods, target definitions, and the audit trail."""

import pytest
from sqlalchemy import func
from sqlmodel import select

from registry.accounts import users
from registry.accounts.passwords import check_password
from registry.accounts.sessions import start_login_session
from registry.catalogue import records
from registry.core.errors import Conflict, DomainError, ValidationFailed
from registry.models import (
    Agency,
    AuditEvent,
    LoginSession,
    PeriodStatus,
    ReportingPeriod,
    Service,
    Target,
    User,
)
from registry.submissions import periods
from registry.targets import definitions
from registry.targets.definitions import definition_errors
from registry.targets.engine import compute_target
from tests.factories import PASSWORD, as_actor


@pytest.fixture
def boss(make_user):
    """An administrator, as the operations see them: an Actor (``boss.user`` is the account)."""
    return as_actor(make_user("admin", email="boss@example.vn"))


def count(db, model):
    return db.exec(select(func.count()).select_from(model)).one()


def events(db, action, key=None):
    statement = select(AuditEvent).where(AuditEvent.action == action)
    if key is not None:
        statement = statement.where(AuditEvent.entity_key == str(key))
    return db.exec(statement.order_by(AuditEvent.id)).all()


def agency_data(**overrides):
    values = {"code": "so-yte", "name": "Sở Y tế", "name_en": "Department of Health", "tier": "province",
              "kind": "department", "parent_code": "", "active": True}
    values.update(overrides)
    return values


# --- agencies ---------------------------------------------------------------------

def test_create_agency_writes_and_audits(db, boss, make_agency):
    province = make_agency(code="ubnd-tinh", kind="people_committee")
    agency = records.create_agency(db, boss, agency_data(parent_code="ubnd-tinh", name="  Sở Y tế  "))
    db.commit()
    assert agency.parent_id == province.id and agency.name == "Sở Y tế" and agency.active
    [event] = events(db, "agency.create", "so-yte")
    assert event.actor == boss.email and event.before is None
    assert event.after["parent_code"] == "ubnd-tinh" and event.after["tier"] == "province"


def test_duplicate_agency_code_is_a_field_conflict(db, boss, make_agency):
    make_agency(code="so-yte")
    before = count(db, Agency)
    with pytest.raises(Conflict) as caught:
        records.create_agency(db, boss, agency_data())
    assert set(caught.value.fields) == {"code"}
    assert "so-yte" in caught.value.fields["code"]
    db.rollback()
    assert count(db, Agency) == before


def test_every_bad_agency_field_is_reported_at_once(db, boss, make_agency):
    make_agency(code="so-yte")
    with pytest.raises(ValidationFailed) as caught:
        records.create_agency(db, boss, {"code": "so yte!", "name": " ", "tier": "country", "kind": "ministry",
                                       "parent_code": "nowhere"})
    fields = caught.value.fields
    assert set(fields) == {"code", "name", "tier", "kind", "parent_code"}
    assert fields["parent_code"] == "không có cơ quan mã nowhere"
    assert "province" in fields["tier"]
    # a duplicate code is named beside the other errors (one round trip, not two)
    with pytest.raises(ValidationFailed) as caught:
        records.create_agency(db, boss, agency_data(tier="country"))
    assert set(caught.value.fields) == {"code", "tier"}


def test_agency_parent_may_not_be_itself_or_a_descendant(db, boss, make_agency):
    province = make_agency(code="ubnd-tinh")
    district = make_agency(code="ubnd-huyen", tier="district", parent=province)
    commune = make_agency(code="ubnd-xa", tier="commune", parent=district)
    with pytest.raises(ValidationFailed) as caught:
        records.update_agency(db, boss, province, {"parent_code": "ubnd-tinh"})
    assert caught.value.fields == {"parent_code": "cơ quan không thể là cấp trên của chính nó"}
    for descendant in ("ubnd-huyen", "ubnd-xa"):
        with pytest.raises(ValidationFailed) as caught:
            records.update_agency(db, boss, province, {"parent_code": descendant})
        assert caught.value.fields == {"parent_code": "quan hệ cấp trên tạo thành vòng lặp"}
    with pytest.raises(ValidationFailed):
        records.create_agency(db, boss, agency_data(code="new", parent_code="new"))
    db.rollback()
    assert db.get(Agency, province.id).parent_id is None
    # moving a commune under another district is fine
    other = make_agency(code="ubnd-huyen-2", tier="district", parent=province)
    records.update_agency(db, boss, commune, {"parent_code": "ubnd-huyen-2"})
    db.commit()
    assert db.get(Agency, commune.id).parent_id == other.id


def test_update_agency_audits_only_what_changed(db, boss, make_agency):
    agency = make_agency(code="so-yte", name="Sở Y tế")
    records.update_agency(db, boss, agency, {"name": "Sở Y tế tỉnh Điện Biên", "active": False})
    db.commit()
    [event] = events(db, "agency.update", "so-yte")
    assert event.before == {"name": "Sở Y tế", "active": True}
    assert event.after == {"name": "Sở Y tế tỉnh Điện Biên", "active": False}
    records.update_agency(db, boss, agency, {"name": "Sở Y tế tỉnh Điện Biên"})  # no change, no event
    db.commit()
    assert len(events(db, "agency.update", "so-yte")) == 1


def test_agency_code_can_be_renamed_but_not_onto_another(db, boss, make_agency):
    agency = make_agency(code="so-yte")
    make_agency(code="so-gd")
    with pytest.raises(Conflict):
        records.update_agency(db, boss, agency, {"code": "so-gd"})
    db.rollback()
    records.update_agency(db, boss, agency, {"code": "so-y-te"})
    db.commit()
    [event] = events(db, "agency.update", "so-y-te")
    assert event.before == {"code": "so-yte"} and event.after == {"code": "so-y-te"}


# --- services ---------------------------------------------------------------------

def test_service_create_update_and_errors(db, boss, make_agency, make_service):
    agency = make_agency(code="ubnd-xa")
    make_service(agency=agency, code="1.001")
    values = {"code": "1.002", "name": "Đăng ký khai sinh", "agency_code": "ubnd-xa", "sector": "Hộ tịch"}
    with pytest.raises(Conflict) as caught:
        records.create_service(db, boss, {**values, "code": "1.001"})
    assert set(caught.value.fields) == {"code"}
    with pytest.raises(ValidationFailed) as caught:
        records.create_service(db, boss, {**values, "agency_code": "nowhere", "sector": ""})
    assert set(caught.value.fields) == {"agency_code", "sector"}
    db.rollback()
    service = records.create_service(db, boss, values)
    db.commit()
    assert service.active and service.agency_id == agency.id
    other = make_agency(code="ubnd-xa-2")
    records.update_service(db, boss, service, {"agency_code": "ubnd-xa-2", "active": False})
    db.commit()
    assert db.get(Service, service.id).agency_id == other.id
    [event] = events(db, "service.update", "1.002")
    assert event.before == {"agency_code": "ubnd-xa", "active": True}
    assert event.after == {"agency_code": "ubnd-xa-2", "active": False}
    assert events(db, "service.create", "1.002")[0].after["name"] == "Đăng ký khai sinh"


# --- users ------------------------------------------------------------------------

def test_create_user_checks_role_agency_password_and_duplicates(db, boss, make_agency):
    make_agency(code="so-yte")
    good = {"email": "Focal@Example.vn", "role": "focal", "agency_code": "so-yte", "password": "a long password!"}
    with pytest.raises(ValidationFailed) as caught:
        users.create_user(db, boss, {**good, "agency_code": ""})
    assert caught.value.fields == {"agency_code": "cán bộ đầu mối phải thuộc một cơ quan"}
    with pytest.raises(ValidationFailed) as caught:
        users.create_user(db, boss, {**good, "email": "not-an-email", "role": "boss", "password": "short"})
    assert set(caught.value.fields) == {"email", "role", "password"}
    before = count(db, User)
    user = users.create_user(db, boss, good)
    db.commit()
    assert user.email == "focal@example.vn" and check_password(user, "a long password!")
    with pytest.raises(Conflict) as caught:
        users.create_user(db, boss, {**good, "email": "FOCAL@example.vn"})
    assert set(caught.value.fields) == {"email"}
    db.rollback()
    assert count(db, User) == before + 1
    [event] = events(db, "user.create", "focal@example.vn")
    assert event.actor == boss.email and event.after == {"role": "focal", "agency": "so-yte"}


def test_deactivation_ends_every_sign_in_of_the_user(db, boss, make_user, make_agency):
    agency = make_agency()
    focal = make_user("focal", agency=agency)
    start_login_session(db, focal)
    start_login_session(db, focal)
    mine = start_login_session(db, boss.user)
    db.commit()
    users.update_user(db, boss, focal, {"active": False})
    db.commit()
    sessions = db.exec(select(LoginSession).where(LoginSession.user_id == focal.id)).all()
    assert len(sessions) == 2 and all(s.ended_at is not None for s in sessions)
    assert db.exec(select(LoginSession).where(LoginSession.user_id == boss.id)).one().ended_at is None
    assert mine
    [event] = events(db, "user.deactivate", focal.email)
    assert event.before == {"active": True} and event.after == {"active": False}


def test_role_and_agency_changes(db, boss, make_user, make_agency):
    first, second = make_agency(code="a-1"), make_agency(code="a-2")
    focal = make_user("focal", agency=first)
    with pytest.raises(ValidationFailed) as caught:
        users.update_user(db, boss, focal, {"agency_code": ""})
    assert set(caught.value.fields) == {"agency_code"}
    with pytest.raises(ValidationFailed):
        users.update_user(db, boss, focal, {"agency_code": "a-404"})
    db.rollback()
    users.update_user(db, boss, focal, {"agency_code": "a-2"})
    users.update_user(db, boss, focal, {"role": "auditor", "agency_code": ""})
    db.commit()
    user = db.get(User, focal.id)
    assert user.role == "auditor" and user.agency_id is None and user.active
    assert second.id
    changes = [(e.before, e.after) for e in events(db, "user.update", focal.email)]
    assert changes == [({"agency_code": "a-1"}, {"agency_code": "a-2"}),
                       ({"role": "focal", "agency_code": "a-2"}, {"role": "auditor", "agency_code": None})]


def test_an_admin_cannot_demote_or_deactivate_themselves(db, boss, make_user):
    with pytest.raises(ValidationFailed) as caught:
        users.update_user(db, boss, boss.user, {"role": "auditor"})
    assert caught.value.fields == {"role": "Bạn không thể tự bỏ quyền quản trị của chính mình."}
    with pytest.raises(ValidationFailed) as caught:
        users.update_user(db, boss, boss.user, {"active": False})
    assert caught.value.fields == {"active": "Bạn không thể tự khóa tài khoản của chính mình."}
    db.rollback()
    user = db.get(User, boss.id)
    assert user.role == "admin" and user.active
    # another administrator may
    other = make_user("admin", email="other@example.vn")
    users.update_user(db, as_actor(other), boss.user, {"role": "auditor"})
    db.commit()
    assert db.get(User, boss.id).role == "auditor"


def test_password_reset_ends_sign_ins_and_replaces_the_password(db, boss, make_user):
    auditor = make_user("auditor")
    start_login_session(db, auditor)
    db.commit()
    with pytest.raises(ValidationFailed) as caught:
        users.reset_password(db, boss, auditor, "short")
    assert set(caught.value.fields) == {"password"}
    db.rollback()
    users.reset_password(db, boss, auditor, "a brand new password")
    db.commit()
    user = db.get(User, auditor.id)
    assert check_password(user, "a brand new password") and not check_password(user, PASSWORD)
    assert all(s.ended_at is not None
               for s in db.exec(select(LoginSession).where(LoginSession.user_id == auditor.id)))
    [event] = events(db, "user.password_reset", auditor.email)
    assert event.actor == boss.email
    assert "a brand new password" not in str(event.before) + str(event.after)


def test_resetting_ones_own_password_keeps_this_sign_in(db, boss):
    here = start_login_session(db, boss.user)
    start_login_session(db, boss.user)
    db.commit()
    users.reset_password(db, boss, boss.user, "my own new password", keep_token=here)
    db.commit()
    ended = [s.ended_at is not None for s in db.exec(select(LoginSession).where(LoginSession.user_id == boss.id)
                                                     .order_by(LoginSession.id))]
    assert ended == [False, True]


# --- periods ----------------------------------------------------------------------

def test_periods_are_years_and_unique(db, boss):
    for bad in ("1999", "2101", "20x5", "", "-2015", "2015.0"):
        with pytest.raises(ValidationFailed) as caught:
            periods.create_period(db, boss, bad)
        assert set(caught.value.fields) == {"year"}, bad
    period = periods.create_period(db, boss, " 2016 ")
    db.commit()
    assert period.year == 2016 and period.status == PeriodStatus.open.value
    with pytest.raises(Conflict) as caught:
        periods.create_period(db, boss, 2016)
    assert caught.value.fields == {"year": "đã có kỳ báo cáo 2016"}
    db.rollback()
    assert count(db, ReportingPeriod) == 1
    [event] = events(db, "period.create", 2016)
    assert event.after == {"status": "open"}


def test_open_and_close_a_period(db, boss):
    period = periods.create_period(db, boss, 2015)
    periods.close_period(db, boss, period)
    db.commit()
    assert db.get(ReportingPeriod, 2015).status == "closed"
    with pytest.raises(Conflict):
        periods.close_period(db, boss, period)
    db.rollback()
    # SPEC v2 rule 12: a closed period is not opened again; it is re-opened for a correction, with a reason
    with pytest.raises(Conflict):
        periods.open_period(db, boss, 2015)
    db.rollback()
    periods.reopen_period(db, boss, db.get(ReportingPeriod, 2015), "Sở B bổ sung số liệu")
    db.commit()
    assert db.get(ReportingPeriod, 2015).status == "correcting"
    [closed] = events(db, "period.close", 2015)
    [reopened] = events(db, "period.reopen", 2015)
    assert (closed.before, closed.after) == ({"status": "open"}, {"status": "closed", "unfinished": {
        "draft": 0, "submitted": 0, "returned": 0, "nothing": 0}})
    assert (reopened.before, reopened.after) == ({"status": "closed"}, {"status": "correcting"})
    assert reopened.comment == "Sở B bổ sung số liệu"


# --- targets ----------------------------------------------------------------------

def target_data(**overrides):
    values = {"code": "agencies_wifi_pct", "title_vi": "80% cơ quan có mạng LAN",
              "title_en": "80% of agencies have a LAN",
              "citation": "Kế hoạch 2016–2020, mục 2", "unit": "percent", "comparator": ">=", "threshold": "80",
              "deadline": "2020", "formula": "agency_flag_share", "min_level": "", "flags": ["has_lan"],
              "numerator_field": "", "denominator_field": "", "scope": "district:department,people_committee",
              "position": "", "active": True}
    values.update(overrides)
    return values


def test_a_new_target_is_usable_by_the_engine(db, boss):
    target = definitions.create_target(db, boss, target_data())
    db.commit()
    assert definition_errors(target) == {}
    assert target.flags == "has_lan" and target.threshold == 80 and target.deadline == 2020
    assert target.position == 17  # after the sixteen shipped targets
    periods.create_period(db, boss, 2016)
    result = compute_target(db, target, 2016)
    assert result.value is None and result.status == "no_data"
    [event] = events(db, "target.create", "agencies_wifi_pct")
    assert event.actor == boss.email and event.after["scope"] == "district:department,people_committee"


@pytest.mark.parametrize("overrides, fields", [
    ({"flags": []}, {"flags"}),
    ({"flags": ["has_lan", "flying"]}, {"flags"}),
    ({"flags": "has_lan,wan_connected", "unit": "count"}, {"unit"}),
    ({"formula": "report_sum_ratio"}, {"numerator_field", "denominator_field"}),
    ({"formula": "report_sum_ratio", "numerator_field": "documents_online", "denominator_field": "has_lan"},
     {"denominator_field"}),
    ({"formula": "service_level_share"}, {"min_level"}),
    ({"formula": "service_level_count", "unit": "count", "min_level": "7"}, {"min_level"}),
    ({"formula": "magic"}, {"formula"}),
    ({"scope": "country:department"}, {"scope"}),
    ({"scope": "district:ministry"}, {"scope"}),
    ({"threshold": "-5"}, {"threshold"}),
    ({"threshold": "101"}, {"threshold"}),
    ({"threshold": "9.5"}, {"threshold"}),
    ({"deadline": "1990"}, {"deadline"}),
    ({"comparator": "<"}, {"comparator"}),
    ({"unit": "ratio"}, {"unit"}),
    ({"code": "bad code", "title_vi": "", "citation": ""}, {"code", "title_vi", "citation"}),
])
def test_target_definitions_the_engine_cannot_compute_are_refused(db, boss, overrides, fields):
    before = count(db, Target)
    with pytest.raises(ValidationFailed) as caught:
        definitions.create_target(db, boss, target_data(**overrides))
    assert set(caught.value.fields) == fields
    db.rollback()
    assert count(db, Target) == before


def test_target_parameters_of_another_formula_are_cleared(db, boss):
    target = definitions.create_target(db, boss, target_data(
        code="services_level3_2020", formula="service_level_count", unit="count", threshold="30", min_level="3",
        flags=["has_lan"], scope="district:*", numerator_field="staff_total"))
    db.commit()
    assert (target.min_level, target.flags, target.scope, target.numerator_field) == (3, None, None, None)
    assert definition_errors(target) == {}


def test_editing_a_shipped_target_is_audited_with_before_and_after(db, boss):
    target = db.exec(select(Target).where(Target.code == "services_level1_pct")).one()
    with pytest.raises(Conflict):
        definitions.update_target(db, boss, target, {"code": "services_level2_pct"})
    db.rollback()
    definitions.update_target(db, boss, target, {"threshold": "97", "deadline": 2016})
    db.commit()
    assert (target.threshold, target.deadline, target.comparator) == (97, 2016, ">=")
    [event] = events(db, "target.update", "services_level1_pct")
    assert event.before == {"threshold": 95, "deadline": 2015}
    assert event.after == {"threshold": 97, "deadline": 2016}


def test_domain_errors_carry_translatable_messages(db, boss):
    with pytest.raises(DomainError) as caught:
        records.create_agency(db, boss, agency_data(code="x", parent_code="nowhere"))
    message = caught.value.fields["parent_code"]
    assert message.template == "không có cơ quan mã %(code)s" and message.params == {"code": "nowhere"}
