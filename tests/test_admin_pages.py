"""The administration pages over HTTP: lists, forms, round trips, errors shown
beside the fields with nothing written, and only administrators let in."""

import re

import pytest
from sqlalchemy import func
from sqlmodel import select

from registry.accounts.passwords import check_password
from registry.accounts.throttle import refusal_key
from registry.models import (
    Agency,
    AttemptCounter,
    AuditEvent,
    LoginSession,
    ReportingPeriod,
    Service,
    Target,
    User,
)
from tests.factories import PASSWORD

ADMIN = "admin@example.vn"


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", email=ADMIN)


@pytest.fixture
def as_admin(client, auth, admin_user):
    assert auth.login(ADMIN).status_code == 302
    return client


@pytest.fixture
def world(db, make, admin_user):
    """A few records of every kind, for the pages to show and the forms to edit."""
    province = make.agency(code="ubnd-tinh", kind="people_committee", name="UBND tỉnh Điện Biên")
    district = make.agency(code="ubnd-dbp", tier="district", kind="people_committee", parent=province,
                           name="UBND huyện Điện Biên")
    service = make.service(agency=district, code="1.001", name="Đăng ký khai sinh", sector="Hộ tịch")
    focal = make.user("focal", agency=district, email="focal@example.vn")
    auditor = make.user("auditor", email="auditor@example.vn")
    make.submission(district, 2015, "submitted", levels={service.id: 1}, focal=focal)
    target = db.exec(select(Target).where(Target.code == "agencies_network_pct")).one()
    return {"province": province, "district": district, "service": service, "focal": focal, "auditor": auditor,
            "target": target}


def count(db, model):
    db.rollback()
    return db.exec(select(func.count()).select_from(model)).one()


def snapshot(db):
    """Everything an administrator can change, to show that a refused request changed nothing."""
    db.rollback()
    rows = {}
    for model in (Agency, Service, User, ReportingPeriod, Target):
        rows[model.__name__] = sorted(
            (tuple(sorted((k, str(v)) for k, v in r.model_dump().items())) for r in db.exec(select(model))))
    rows["sessions_ended"] = sorted(str(s.ended_at) for s in db.exec(select(LoginSession)))
    return rows


def text(response):
    return response.get_data(as_text=True)


AGENCY_FORM = {"code": "so-yte", "name": "Sở Y tế", "name_en": "Department of Health", "tier": "province",
               "kind": "department", "parent_code": "ubnd-tinh", "active": "y"}


# --- lists ------------------------------------------------------------------------

def test_every_list_page_opens_for_an_administrator(as_admin, world):
    for url, expected in [
        ("/admin/", "Quản trị"),
        ("/admin/agencies", "UBND huyện Điện Biên"),
        ("/admin/services", "Đăng ký khai sinh"),
        ("/admin/users", "focal@example.vn"),
        ("/admin/periods", "2015"),
        ("/admin/targets", "agencies_network_pct"),
        ("/admin/agencies/new", "Thêm cơ quan"),
        (f"/admin/agencies/{world['district'].id}", "ubnd-dbp"),
        ("/admin/services/new", "Thêm dịch vụ"),
        (f"/admin/services/{world['service'].id}", "1.001"),
        ("/admin/users/new", "Thêm người dùng"),
        (f"/admin/users/{world['focal'].id}", "focal@example.vn"),
        ("/admin/targets/new", "Thêm chỉ tiêu"),
        (f"/admin/targets/{world['target'].id}", "agencies_network_pct"),
    ]:
        response = as_admin.get(url)
        assert response.status_code == 200, url
        assert expected in text(response), url


def test_english_admin_pages_use_the_words_of_the_spec(as_admin, world):
    page = text(as_admin.get("/admin/periods?lang=en"))
    assert '<html lang="en">' in page and "Reporting period" in page
    for url in ("/admin/", "/admin/agencies", "/admin/services", "/admin/users", "/admin/targets",
                "/admin/targets/new", "/admin/users/new"):
        assert as_admin.get(url).status_code == 200, url


def test_agency_list_filters_searches_and_pages(as_admin, db, make_agency, world):
    for n in range(60):
        make_agency(code=f"xa-{n:02d}", tier="commune", kind="people_committee", name=f"UBND xã số {n}",
                    active=n % 2 == 0)
    page = text(as_admin.get("/admin/agencies?tier=commune"))
    assert "Tìm thấy 60 bản ghi." in page and "xa-00" in page and "xa-59" not in page
    assert "Trang 1 trên 2" in page and "tier=commune" in page and "page=2" in page
    second = text(as_admin.get("/admin/agencies?tier=commune&page=2"))
    assert "xa-59" in second and "xa-00" not in second
    assert "Tìm thấy 30 bản ghi." in text(as_admin.get("/admin/agencies?tier=commune&active=0"))
    assert "Tìm thấy 1 bản ghi." in text(as_admin.get("/admin/agencies?q=XA-07"))
    assert "Tìm thấy 0 bản ghi." in text(as_admin.get("/admin/agencies?q=%25_"))  # wildcards are literal
    only = text(as_admin.get("/admin/agencies?kind=people_committee&tier=district"))
    district, province = world["district"].id, world["province"].id
    assert f'href="/admin/agencies/{district}"' in only and f'href="/admin/agencies/{province}"' not in only
    # nonsense in the query string is ignored, never a 500
    assert as_admin.get("/admin/agencies?page=abc&tier=moon&active=maybe").status_code == 200
    assert as_admin.get("/admin/agencies?page=999999999999").status_code == 200


def test_service_and_user_lists_filter(as_admin, make_service, world):
    make_service(agency=world["province"], code="2.001", name="Cấp giấy phép", sector="Xây dựng", active=False)
    by_agency = text(as_admin.get("/admin/services?agency=ubnd-dbp"))
    assert "1.001" in by_agency and "2.001" not in by_agency
    by_sector = text(as_admin.get("/admin/services?sector=Xây dựng&active=0"))
    assert "2.001" in by_sector and "1.001" not in by_sector
    assert "Tìm thấy 1 bản ghi." in text(as_admin.get("/admin/services?q=khai sinh"))
    focal_only = text(as_admin.get("/admin/users?role=focal"))
    assert "focal@example.vn" in focal_only and "auditor@example.vn" not in focal_only


def test_period_list_counts_submissions_by_state(as_admin, world):
    page = text(as_admin.get("/admin/periods"))
    assert "đã gửi" in page and "đang mở" in page
    assert 'href="/admin/periods/2015/close"' in page  # a confirmation page first (rule 13)


# --- agencies ---------------------------------------------------------------------

def test_create_and_edit_an_agency(as_admin, db, world):
    created = as_admin.post("/admin/agencies/new", data=AGENCY_FORM)
    assert created.status_code == 302 and created.headers["Location"] == "/admin/agencies"
    db.rollback()
    agency = db.exec(select(Agency).where(Agency.code == "so-yte")).one()
    assert agency.parent_id == world["province"].id and agency.active and agency.name_en == "Department of Health"
    assert "Đã thêm cơ quan so-yte." in text(as_admin.get("/admin/agencies"))
    form = text(as_admin.get(f"/admin/agencies/{agency.id}"))
    assert 'value="ubnd-tinh"' in form and 'value="Sở Y tế"' in form
    edited = as_admin.post(f"/admin/agencies/{agency.id}",
                           data={**AGENCY_FORM, "name": "Sở Y tế Điện Biên", "parent_code": "", "active": ""})
    assert edited.status_code == 302
    db.rollback()
    agency = db.get(Agency, agency.id)
    assert (agency.name, agency.parent_id, agency.active) == ("Sở Y tế Điện Biên", None, False)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "agency.update")).one()
    assert event.actor == ADMIN and event.before["active"] is True and event.after["active"] is False


def test_bad_agency_input_is_shown_beside_the_fields_and_writes_nothing(as_admin, db, world):
    before = snapshot(db)
    missing = as_admin.post("/admin/agencies/new", data={**AGENCY_FORM, "name": "", "tier": ""})
    assert missing.status_code == 422
    assert 'id="name-error"' in text(missing) and 'id="tier-error"' in text(missing)
    bad = as_admin.post("/admin/agencies/new", data={**AGENCY_FORM, "code": "sở y tế", "kind": "ministry",
                                                     "parent_code": "nowhere"})
    assert bad.status_code == 422
    page = text(bad)
    assert "mã chỉ gồm chữ cái không dấu" in page and "không có cơ quan mã nowhere" in page
    assert 'aria-describedby="parent_code-hint parent_code-error" aria-invalid="true"' in page
    duplicate = as_admin.post("/admin/agencies/new", data={**AGENCY_FORM, "code": "ubnd-dbp"})
    assert duplicate.status_code == 409
    assert "đã có cơ quan mã ubnd-dbp" in text(duplicate)
    province = world["province"]
    cycle = as_admin.post(f"/admin/agencies/{province.id}",
                          data={**AGENCY_FORM, "code": "ubnd-tinh", "parent_code": "ubnd-dbp"})
    assert cycle.status_code == 422 and "quan hệ cấp trên tạo thành vòng lặp" in text(cycle)
    itself = as_admin.post(f"/admin/agencies/{province.id}",
                           data={**AGENCY_FORM, "code": "ubnd-tinh", "parent_code": "ubnd-tinh"})
    assert itself.status_code == 422 and "cơ quan không thể là cấp trên của chính nó" in text(itself)
    renamed_onto = as_admin.post(f"/admin/agencies/{province.id}", data={**AGENCY_FORM, "code": "ubnd-dbp",
                                                                         "parent_code": ""})
    assert renamed_onto.status_code == 409
    assert snapshot(db) == before


def test_odd_input_never_gives_a_500(as_admin, db, world):
    before = snapshot(db)
    for url in ("/admin/agencies?q=a%00b&tier=%00", "/admin/services?agency=%00&sector=x%00&q=%00",
                "/admin/users?q=%00&role=%00"):
        assert as_admin.get(url).status_code == 422, url  # a NUL is refused at the door
    assert as_admin.get("/admin/agencies?q=" + "đ" * 5000).status_code == 200
    nul = "\x00"
    for url, data in [
        ("/admin/agencies/new", {**AGENCY_FORM, "code": f"so{nul}yte", "parent_code": f"ubnd{nul}"}),
        ("/admin/services/new", {"code": "1.001", "name": nul, "agency_code": nul, "sector": nul}),
        ("/admin/users/new", {"email": f"a{nul}@example.vn", "role": "auditor", "password": "p" * 20,
                              "confirm": "p" * 20}),
        ("/admin/periods", {"year": f"20{nul}16"}),
        ("/admin/targets/new", {**TARGET_FORM, "scope": f"district:{nul}x", "flags": [nul]}),
        ("/admin/targets/new", {**TARGET_FORM, "threshold": "9" * 12, "position": "٣"}),
    ]:
        response = as_admin.post(url, data=data)
        assert response.status_code in (409, 422), (url, response.status_code)
    assert snapshot(db) == before


def test_unknown_records_are_404(as_admin, world):
    for url in ("/admin/agencies/9999", "/admin/services/9999", "/admin/users/9999", "/admin/targets/9999"):
        assert as_admin.get(url).status_code == 404, url
        assert as_admin.post(url, data={}).status_code == 404, url
    assert as_admin.post("/admin/periods/1999/close").status_code == 404
    assert as_admin.post("/admin/users/9999/password", data={}).status_code == 404


# --- services ---------------------------------------------------------------------

def test_create_and_edit_a_service(as_admin, db, world):
    data = {"code": "1.002", "name": "Đăng ký kết hôn", "name_en": "Marriage registration",
            "agency_code": "ubnd-dbp", "sector": "Hộ tịch", "active": "y"}
    assert as_admin.post("/admin/services/new", data=data).status_code == 302
    db.rollback()
    service = db.exec(select(Service).where(Service.code == "1.002")).one()
    assert service.agency_id == world["district"].id and service.active
    moved = as_admin.post(f"/admin/services/{service.id}", data={**data, "agency_code": "ubnd-tinh", "active": ""})
    assert moved.status_code == 302
    db.rollback()
    service = db.get(Service, service.id)
    assert service.agency_id == world["province"].id and not service.active


def test_bad_service_input_writes_nothing(as_admin, db, world):
    before = snapshot(db)
    data = {"code": "1.002", "name": "Đăng ký kết hôn", "agency_code": "nowhere", "sector": "Hộ tịch", "active": "y"}
    bad = as_admin.post("/admin/services/new", data=data)
    assert bad.status_code == 422 and "không có cơ quan mã nowhere" in text(bad)
    duplicate = as_admin.post("/admin/services/new", data={**data, "code": "1.001", "agency_code": "ubnd-dbp"})
    assert duplicate.status_code == 409 and "đã có dịch vụ mã 1.001" in text(duplicate)
    too_long = as_admin.post(f"/admin/services/{world['service'].id}",
                             data={**data, "agency_code": "ubnd-dbp", "name": "x" * 600})
    assert too_long.status_code == 422
    assert snapshot(db) == before


# --- users ------------------------------------------------------------------------

def test_create_a_user_and_sign_in_as_them(app, as_admin, db, world):
    data = {"email": "new.focal@example.vn", "role": "focal", "agency_code": "ubnd-tinh",
            "password": "a long initial password", "confirm": "a long initial password"}
    assert as_admin.post("/admin/users/new", data=data).status_code == 302
    db.rollback()
    user = db.exec(select(User).where(User.email == "new.focal@example.vn")).one()
    assert user.role == "focal" and user.agency_id == world["province"].id
    other = app.test_client()
    signed_in = other.post("/login", data={"email": "new.focal@example.vn", "password": "a long initial password"})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/workspace/"


def test_bad_user_input_writes_nothing(as_admin, db, world):
    before = snapshot(db)
    data = {"email": "new@example.vn", "role": "focal", "agency_code": "",
            "password": "a long initial password", "confirm": "a long initial password"}
    no_agency = as_admin.post("/admin/users/new", data=data)
    assert no_agency.status_code == 422 and "cán bộ đầu mối phải thuộc một cơ quan" in text(no_agency)
    short = as_admin.post("/admin/users/new", data={**data, "role": "auditor", "password": "short", "confirm": "short"})
    assert short.status_code == 422 and "Mật khẩu phải có ít nhất 12 ký tự." in text(short)
    mismatch = as_admin.post("/admin/users/new", data={**data, "role": "auditor", "confirm": "something else!!"})
    assert mismatch.status_code == 422
    taken = as_admin.post("/admin/users/new", data={**data, "email": "FOCAL@example.vn", "agency_code": "ubnd-dbp"})
    assert taken.status_code == 409 and "đã có người dùng focal@example.vn" in text(taken)
    bad_role = as_admin.post("/admin/users/new", data={**data, "role": "superuser"})
    assert bad_role.status_code == 422
    assert snapshot(db) == before


def test_edit_a_users_role_and_agency(as_admin, db, world):
    focal = world["focal"]
    changed = as_admin.post(f"/admin/users/{focal.id}", data={"role": "focal", "agency_code": "ubnd-tinh",
                                                               "active": "y"})
    assert changed.status_code == 302
    db.rollback()
    assert db.get(User, focal.id).agency_id == world["province"].id
    before = snapshot(db)
    bad = as_admin.post(f"/admin/users/{focal.id}", data={"role": "focal", "agency_code": "", "active": "y"})
    assert bad.status_code == 422 and "cán bộ đầu mối phải thuộc một cơ quan" in text(bad)
    assert snapshot(db) == before


def test_an_admin_cannot_demote_or_deactivate_themselves(as_admin, db, admin_user, world):
    before = snapshot(db)
    demote = as_admin.post(f"/admin/users/{admin_user.id}", data={"role": "auditor", "agency_code": "", "active": "y"})
    assert demote.status_code == 422
    assert "Bạn không thể tự bỏ quyền quản trị của chính mình." in text(demote)
    lock = as_admin.post(f"/admin/users/{admin_user.id}", data={"role": "admin", "agency_code": "", "active": ""})
    assert lock.status_code == 422 and "Bạn không thể tự khóa tài khoản của chính mình." in text(lock)
    assert snapshot(db) == before
    assert as_admin.get("/admin/").status_code == 200


def test_a_deactivated_users_cookie_stops_working(app, as_admin, db, world):
    focal = world["focal"]
    browser = app.test_client()
    assert browser.post("/login", data={"email": focal.email, "password": PASSWORD}).status_code == 302
    assert browser.get("/workspace/").status_code == 200
    deactivated = as_admin.post(f"/admin/users/{focal.id}", data={"role": "focal", "agency_code": "ubnd-dbp"})
    assert deactivated.status_code == 302
    response = browser.get("/workspace/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    db.rollback()
    assert all(s.ended_at is not None for s in db.exec(select(LoginSession).where(LoginSession.user_id == focal.id)))
    assert browser.post("/login", data={"email": focal.email, "password": PASSWORD}).status_code == 200


def test_password_reset_ends_the_users_sign_ins(app, as_admin, db, world):
    auditor = world["auditor"]
    browser = app.test_client()
    browser.post("/login", data={"email": auditor.email, "password": PASSWORD})
    assert browser.get("/review/").status_code == 200
    before = snapshot(db)
    short = as_admin.post(f"/admin/users/{auditor.id}/password", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "Mật khẩu phải có ít nhất 12 ký tự." in text(short)
    assert snapshot(db) == before
    reset = as_admin.post(f"/admin/users/{auditor.id}/password",
                          data={"password": "a fresh long password", "confirm": "a fresh long password"})
    assert reset.status_code == 302
    assert browser.get("/review/").status_code == 302
    db.rollback()
    assert check_password(db.get(User, auditor.id), "a fresh long password")
    assert as_admin.get("/admin/").status_code == 200  # the administrator is still signed in


def test_resetting_ones_own_password_keeps_one_signed_in(as_admin, db, admin_user):
    reset = as_admin.post(f"/admin/users/{admin_user.id}/password",
                          data={"password": "my fresh long password", "confirm": "my fresh long password"})
    assert reset.status_code == 302
    assert as_admin.get("/admin/").status_code == 200


# --- periods ----------------------------------------------------------------------

def test_create_open_and_close_periods(as_admin, db, world):
    assert as_admin.post("/admin/periods", data={"year": " 2016 "}).status_code == 302
    db.rollback()
    assert db.get(ReportingPeriod, 2016).status == "open"
    assert as_admin.post("/admin/periods/2016/close").status_code == 302
    db.rollback()
    assert db.get(ReportingPeriod, 2016).status == "closed"
    again = as_admin.post("/admin/periods/2016/close")
    assert again.status_code == 409 and "Kỳ báo cáo 2016 đã khóa rồi." in text(again)
    # a closed period is re-opened for a correction, with a reason (rule 12)
    assert as_admin.post("/admin/periods/2016/open").headers["Location"].endswith("/admin/periods/2016/reopen")
    refused = as_admin.post("/admin/periods/2016/reopen", data={"reason": "  "})
    assert refused.status_code == 422
    db.rollback()
    assert db.get(ReportingPeriod, 2016).status == "closed"
    assert as_admin.post("/admin/periods/2016/reopen", data={"reason": "Sửa số liệu"}).status_code == 302
    db.rollback()
    assert db.get(ReportingPeriod, 2016).status == "correcting"


def test_closing_shows_what_is_unfinished_and_asks(as_admin, db, world):
    page = text(as_admin.get("/admin/periods/2015/close"))
    assert "Còn" in page and "chưa xong" in page
    assert '<form method="post" action="/admin/periods/2015/close">' in page
    db.rollback()
    assert db.get(ReportingPeriod, 2015).status == "open"  # seeing the page changes nothing


def test_bad_period_years_write_nothing(as_admin, db, world):
    before = snapshot(db)
    for year, status in (("1999", 422), ("2101", 422), ("twenty", 422), ("", 422), ("2015", 409)):
        response = as_admin.post("/admin/periods", data={"year": year})
        assert response.status_code == status, year
        assert 'id="year-error"' in text(response), year
    assert "đã có kỳ báo cáo 2015" in text(as_admin.post("/admin/periods", data={"year": "2015"}))
    assert snapshot(db) == before


# --- targets ----------------------------------------------------------------------

TARGET_FORM = {"code": "schools_lan_2020", "title_vi": "80% trường học có mạng LAN",
               "title_en": "80% of schools have a LAN", "citation": "Kế hoạch 2016–2020, mục 2",
               "formula": "agency_flag_share", "unit": "percent", "comparator": ">", "threshold": "80",
               "deadline": "2020", "min_level": "", "flags": ["has_lan", "broadband_internet"],
               "numerator_field": "", "denominator_field": "", "scope": "*:school", "position": "30",
               "active": "y"}


def test_create_and_edit_a_target(as_admin, db, world):
    created = as_admin.post("/admin/targets/new", data=TARGET_FORM)
    assert created.status_code == 302, text(created)
    db.rollback()
    target = db.exec(select(Target).where(Target.code == "schools_lan_2020")).one()
    assert (target.flags, target.comparator, target.threshold, target.scope) == (
        "has_lan,broadband_internet", ">", 80, "*:school")
    form = text(as_admin.get(f"/admin/targets/{target.id}"))
    assert re.search(r'<input checked id="flags-\d+" name="flags" type="checkbox" value="has_lan">', form)
    assert re.search(r'<input checked id="flags-\d+" name="flags" type="checkbox" value="broadband_internet">', form)
    assert re.search(r'<input id="flags-\d+" name="flags" type="checkbox" value="wan_connected">', form)
    edited = as_admin.post(f"/admin/targets/{target.id}", data={**TARGET_FORM, "flags": ["has_lan"], "active": ""})
    assert edited.status_code == 302
    db.rollback()
    target = db.get(Target, target.id)
    assert target.flags == "has_lan" and not target.active
    page = text(as_admin.get("/admin/targets"))
    assert "schools_lan_2020" in page


def _checked_cells(page: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" id="scope-[^"]+" name="scope" value="([^"]+)" checked>', page))


def test_a_targets_scope_is_chosen_in_a_grid_of_tiers_and_kinds(as_admin, db, world):
    """Issue 17: no mini-syntax to type; the grid's cells are the scope, and an edit that
    leaves the grid alone keeps the scope as it was written."""
    cells = ["district:department", "district:people_committee", "province:people_committee"]
    created = as_admin.post("/admin/targets/new", data={**TARGET_FORM, "scope": cells})
    assert created.status_code == 302, text(created)
    db.rollback()
    target = db.exec(select(Target).where(Target.code == "schools_lan_2020")).one()
    assert target.scope == "province:people_committee;district:department,people_committee"
    page = text(as_admin.get(f"/admin/targets/{target.id}"))
    assert _checked_cells(page) == set(cells)
    assert "Mọi loại" in page and "cấp huyện" in page  # tiers and kinds in words
    # a whole tier, then the same kinds at every tier, then everyone
    for chosen, scope in ((["commune:*", "district:school"], "district:school;commune:*"),
                          (["province:school", "district:school", "commune:school"], "*:school"),
                          ([], None)):  # stored as no scope: every agency
        assert as_admin.post(f"/admin/targets/{target.id}", data={**TARGET_FORM, "scope": chosen}).status_code == 302
        db.rollback()
        assert db.get(Target, target.id).scope == scope, chosen
    everyone = text(as_admin.get(f"/admin/targets/{target.id}"))
    assert _checked_cells(everyone) == {"province:*", "district:*", "commune:*"}
    # a saved form whose grid says the same as the stored text leaves the text alone
    db.get(Target, target.id).scope = "district:school;province:school;commune:school"
    db.commit()
    same = ["province:school", "district:school", "commune:school"]
    assert as_admin.post(f"/admin/targets/{target.id}", data={**TARGET_FORM, "scope": same}).status_code == 302
    db.rollback()
    assert db.get(Target, target.id).scope == "district:school;province:school;commune:school"
    # the new-version form starts at the scope in force
    versions_page = text(as_admin.get(f"/admin/targets/{target.id}/versions"))
    assert _checked_cells(versions_page) == set(same)


def test_unusable_target_definitions_are_refused(as_admin, db, world):
    before = snapshot(db)
    for overrides, message in [
        ({"flags": []}, "hãy chọn ít nhất một tiêu chí của báo cáo"),
        ({"formula": "report_sum_ratio"}, "hãy chọn một số liệu của báo cáo"),
        ({"formula": "service_level_share"}, "hãy chọn mức độ dịch vụ phải đạt"),
        ({"unit": "count"}, "đơn vị «số lượng» chỉ dùng với công thức đếm số dịch vụ"),
        ({"scope": "*:university"}, "không có loại cơ quan «university»"),
        ({"threshold": "-1"}, "phải là số nguyên không âm, ví dụ 3813 hoặc 3.813"),
        ({"threshold": "150"}, "tỷ lệ không được lớn hơn 100"),
        ({"deadline": "3000"}, "năm phải trong khoảng 2000–2100"),
        ({"code": "services_level1_pct"}, "đã có chỉ tiêu mã services_level1_pct"),
    ]:
        response = as_admin.post("/admin/targets/new", data={**TARGET_FORM, **overrides})
        assert response.status_code in (409, 422), overrides
        assert message in text(response), overrides
    shipped = world["target"]
    broken = as_admin.post(f"/admin/targets/{shipped.id}",
                           data={**TARGET_FORM, "code": shipped.code, "flags": []})
    assert broken.status_code == 422
    assert snapshot(db) == before


# --- who may ------------------------------------------------------------------------

def admin_requests(world):
    district, service, focal, target = world["district"], world["service"], world["focal"], world["target"]
    gets = ["/admin/", "/admin/agencies", "/admin/agencies/new", f"/admin/agencies/{district.id}",
            "/admin/services", "/admin/services/new", f"/admin/services/{service.id}", "/admin/users",
            "/admin/users/new", f"/admin/users/{focal.id}", "/admin/periods", "/admin/targets",
            "/admin/targets/new", f"/admin/targets/{target.id}", "/admin/agencies/9999"]
    posts = [
        ("/admin/agencies/new", AGENCY_FORM),
        (f"/admin/agencies/{district.id}", {**AGENCY_FORM, "code": "ubnd-dbp", "active": ""}),
        ("/admin/services/new", {"code": "9.9", "name": "X", "agency_code": "ubnd-dbp", "sector": "Y", "active": "y"}),
        (f"/admin/services/{service.id}", {"code": "1.001", "name": "Đổi tên", "agency_code": "ubnd-dbp",
                                           "sector": "Hộ tịch"}),
        ("/admin/users/new", {"email": "x@example.vn", "role": "admin", "password": "p" * 20, "confirm": "p" * 20}),
        (f"/admin/users/{focal.id}", {"role": "admin", "agency_code": "", "active": "y"}),
        (f"/admin/users/{focal.id}/password", {"password": "p" * 20, "confirm": "p" * 20}),
        ("/admin/periods", {"year": "2016"}),
        ("/admin/periods/2015/close", {}),
        ("/admin/periods/2015/open", {}),
        ("/admin/targets/new", TARGET_FORM),
        (f"/admin/targets/{target.id}", {**TARGET_FORM, "code": target.code}),
        ("/admin/users/9999", {}),
    ]
    return gets, posts


@pytest.mark.parametrize("who", ["anonymous", "focal", "auditor"])
def test_only_administrators_get_in_and_nothing_changes(app, db, world, who):
    client = app.test_client()
    if who != "anonymous":
        email = world[who].email
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    before = snapshot(db)
    denied_before = count(db, AuditEvent)
    gets, posts = admin_requests(world)
    for url in gets:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
        else:
            assert response.status_code == 403, url
    for url, data in posts:
        response = client.post(url, data=data)
        if who == "anonymous":
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
        else:
            assert response.status_code == 403, url
    assert snapshot(db) == before
    db.rollback()
    refusals = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied",
                                                AuditEvent.id > denied_before)).all()
    if who == "anonymous":  # counted per address and minute, the first of the minute logged (issue 16)
        counted = db.get(AttemptCounter, refusal_key("127.0.0.1")).count
        assert len(refusals) == 1 and counted == len(gets) + len(posts)
    else:
        assert len(refusals) >= len(gets) + len(posts)
    if who != "anonymous":
        # still signed in, and still only what their role allows
        assert client.get("/workspace/" if who == "focal" else "/review/").status_code == 200


def test_a_demoted_administrator_loses_access_at_once(app, as_admin, db, world, make_user):
    other = make_user("admin", email="other.admin@example.vn")
    browser = app.test_client()
    browser.post("/login", data={"email": other.email, "password": PASSWORD})
    assert browser.get("/admin/").status_code == 200
    assert as_admin.post(f"/admin/users/{other.id}", data={"role": "auditor", "agency_code": "",
                                                           "active": "y"}).status_code == 302
    assert browser.get("/admin/").status_code == 403


def test_forms_carry_the_csrf_token_and_need_it(app, as_admin, db, world):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for url in ("/admin/agencies/new", "/admin/services/new", "/admin/users/new",
                    f"/admin/users/{world['focal'].id}", "/admin/periods", "/admin/targets/new"):
            page = text(as_admin.get(url))
            assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"|name="csrf_token" value="[^"]+"',
                             page), url
        before = snapshot(db)
        assert as_admin.post("/admin/periods", data={"year": "2016"}).status_code == 400
        assert as_admin.post("/admin/periods/2015/close").status_code == 400
        assert snapshot(db) == before
        page = text(as_admin.get("/admin/periods"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert as_admin.post("/admin/periods", data={"year": "2016", "csrf_token": token}).status_code == 302
        assert as_admin.post("/admin/periods/2015/close", data={"csrf_token": token}).status_code == 302
        db.rollback()
        assert db.get(ReportingPeriod, 2016) is not None and db.get(ReportingPeriod, 2015).status == "closed"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
