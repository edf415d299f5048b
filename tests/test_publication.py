"""Published figures the public can trust over time (SPEC rules 2, 10–13; issue #12).

Closing a period publishes it: nothing done afterwards to agencies, services,
targets or other periods changes what the public reads of it; a re-open and a
new close list every changed figure as a correction. An open period's figures
are provisional and carry no verdict while coverage is incomplete.
"""

from datetime import datetime, timezone

import pytest
from sqlmodel import select

from registry.catalogue import records
from registry.core.errors import Conflict, ValidationFailed
from registry.dataio import opendata
from registry.models import Agency, PeriodStatus, PublishedPart, ReportingPeriod, Service, Target
from registry.submissions import entries, periods, workflow
from registry.targets import publication
from registry.targets.versions import revise_target
from tests.factories import TEST_ACTOR, full_report

YEAR = 2014
NOW = datetime(2026, 12, 3, tzinfo=timezone.utc)


def _close(db, year):
    periods.close_period(db, TEST_ACTOR, db.get(ReportingPeriod, year))
    db.commit()


def _world(db, make):
    """Two agencies, three services; 2014 fully verified and 2015 half reported."""
    a = make.agency(code="so-a", name="Sở A")
    b = make.agency(code="so-b", name="Sở B")
    a1 = make.service(a, code="a-1", name="Đăng ký khai sinh")
    a2 = make.service(a, code="a-2", name="Cấp phép")
    b1 = make.service(b, code="b-1", name="Đăng ký kết hôn")
    make.submission(a, YEAR, levels={a1.id: 3, a2.id: 1})
    sub_b = make.submission(b, YEAR, levels={b1.id: 2}, report=full_report(has_lan=False))
    make.submission(a, YEAR + 1, levels={a1.id: 3, a2.id: 3})
    return a, b, sub_b


def _public_view(client, year):
    """Everything the public reads of a period, as bytes."""
    paths = [f"/api/v1/targets?period={year}", f"/?period={year}",
             f"/targets/services_level1_pct?period={year}&show=all",
             f"/targets/services_level2_pct?period={year}&show=not_counted",
             f"/targets/agencies_network_pct?period={year}&show=all",
             f"/targets/staff_email_pct?period={year}&show=all"]
    view = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        view[path] = response.get_data()
    return view


# every dataset, the ranking's included (published with the period)
FROZEN_DATASETS = opendata.DATASETS


def _open_data(db, year):
    db.expire_all()
    return {(d, f): opendata.open_data(db, d, year, f, now=NOW)
            for d in FROZEN_DATASETS for f in ("csv", "json")}


def test_a_closed_period_never_changes_behind_the_publics_back(app, client, db, make):
    a, b, _sub_b = _world(db, make)
    _close(db, YEAR)
    before, data_before = _public_view(client, YEAR), _open_data(db, YEAR)
    assert b'"provisional": true' not in data_before[("targets", "json")]

    # new services and agencies, one switched off, a target revised, another period's figures
    make.service(a, code="a-3", name="Thủ tục mới")
    c = make.agency(code="so-c", name="Sở C")
    make.service(c, code="c-1")
    service = db.exec(select(Service).where(Service.code == "b-1")).one()
    service.active = False
    agency = db.exec(select(Agency).where(Agency.code == "so-b")).one()
    agency.name = "Sở B (đổi tên)"
    db.commit()
    target = db.exec(select(Target).where(Target.code == "services_level1_pct")).one()
    revise_target(db, TEST_ACTOR, target, {"effective_from": YEAR + 1, "threshold": 80,
                                           "title_vi": "80% dịch vụ công mức độ 1",
                                           "title_en": "80% of services at level 1"})
    target.title_vi = "Tên sửa tại chỗ"
    db.commit()
    make.submission(b, YEAR + 1, levels={})

    assert _public_view(client, YEAR) == before
    assert _open_data(db, YEAR) == data_before


def test_reopen_change_and_close_lists_exactly_the_changed_figures(client, db, make):
    _a, _b, sub_b = _world(db, make)
    _close(db, YEAR)
    with pytest.raises(ValidationFailed):
        periods.reopen_period(db, TEST_ACTOR, db.get(ReportingPeriod, YEAR), "  ")
    periods.reopen_period(db, TEST_ACTOR, db.get(ReportingPeriod, YEAR), "Sở B bổ sung mạng LAN")
    db.commit()
    published = client.get(f"/api/v1/targets?period={YEAR}").get_json()
    # while correcting, the public keeps the published figures
    network = {t["code"]: t for t in published["targets"]}["agencies_network_pct"]
    assert (network["numerator"], network["denominator"]) == (1, 2)

    make.revise(sub_b, "verified", report={"has_lan": True})
    _close(db, YEAR)
    body = client.get(f"/api/v1/targets?period={YEAR}").get_json()
    network = {t["code"]: t for t in body["targets"]}["agencies_network_pct"]
    assert (network["numerator"], network["value"], network["met"]) == (2, 100.0, True)
    [correction] = body["corrections"]
    assert correction["reason"] == "Sở B bổ sung mạng LAN"
    assert correction["date"] == datetime.now(timezone.utc).date().isoformat()
    changed = {(c["kind"], c["code"], c["field"]): (c["before"], c["after"]) for c in correction["changes"]}
    assert changed == {
        ("target", "agencies_network_pct", "numerator"): (1, 2),
        ("target", "agencies_network_pct", "value"): (50.0, 100.0),
        ("target", "agencies_network_pct", "met"): (False, True),
        ("target", "agencies_network_pct", "status"): ("not_met", "met"),
        ("agency", "so-b", "has_lan"): (False, True),
        # the LAN's 10 points take Sở B up beside Sở A (SPEC §8.9: ranks are corrected too)
        ("rank", "so-b", "rank"): (2, 1),
        ("rank", "so-b", "score"): (145.5, 155.5),
        ("rank", "so-b", "score_exact"): ("291/2", "311/2"),
        ("rank", "so-b", "grade"): ("average", "good"),
    }
    # on the period's pages, in words, and in open data too
    page = client.get(f"/?period={YEAR}").get_data(as_text=True)
    assert "Đính chính" in page and "Sở B bổ sung mạng LAN" in page
    assert "Có mạng nội bộ (LAN)" in page and "thứ hạng" in page
    rows = opendata.open_data(db, "corrections", YEAR, "csv").decode("utf-8-sig").splitlines()
    assert rows[0] == "date,reason,kind,code,field,before,after"
    assert len(rows) == 1 + len(changed)
    # closing again without a change adds no correction
    periods.reopen_period(db, TEST_ACTOR, db.get(ReportingPeriod, YEAR), "Kiểm tra lại")
    db.commit()
    _close(db, YEAR)
    assert len(client.get(f"/api/v1/targets?period={YEAR}").get_json()["corrections"]) == 1


def test_open_period_with_incomplete_coverage_has_no_verdict(client, db, make):
    _world(db, make)
    _close(db, YEAR)
    body = client.get(f"/api/v1/targets?period={YEAR + 1}").get_json()
    for target in body["targets"]:
        assert target["provisional"] is True
        if target["coverage"]["covered"] < target["coverage"]["total"]:
            assert target["met"] is None and target["status"] == "insufficient_data", target
    closed = client.get(f"/api/v1/targets?period={YEAR}").get_json()
    assert all(t["provisional"] is False and t["status"] != "insufficient_data" for t in closed["targets"])
    # the home page opens on the latest closed period; the open one says it is provisional
    home = client.get("/").get_data(as_text=True)
    assert f"Kết quả thực hiện chỉ tiêu năm {YEAR}," in home
    assert "tạm tính" in home  # the open period in the picker, and its chart points
    open_page = client.get(f"/?period={YEAR + 1}").get_data(as_text=True)
    assert "chưa đủ dữ liệu" in open_page and "còn 1 cơ quan chưa có báo cáo được xác minh" in open_page
    assert 'class="dot provisional"' in open_page
    data = opendata.open_data(db, "targets", YEAR + 1, "json", now=NOW)
    assert b'"provisional": true' in data


def test_no_data_is_never_level_0(client, db, make):
    a = make.agency(code="so-a")
    b = make.agency(code="so-b")
    a1 = make.service(a, code="a-1")
    make.service(b, code="b-1")
    make.submission(a, YEAR, levels={a1.id: 0})
    make.submission(b, YEAR, "submitted", levels={})
    services = {s["code"]: s for s in client.get(f"/api/v1/services?period={YEAR}").get_json()["services"]}
    assert services["a-1"]["level"] == 0 and services["b-1"]["level"] is None
    assert [s["code"] for s in client.get(f"/api/v1/services?period={YEAR}&level=none").get_json()["services"]] \
        == ["b-1"]
    header, *lines = opendata.open_data(db, "services", YEAR, "csv").decode("utf-8-sig").splitlines()
    level = header.split(",").index("level")
    rows = {r.split(",")[0]: r for r in lines}
    assert rows["a-1"].split(",")[level] == "0" and rows["b-1"].split(",")[level] == ""
    page = client.get(f"/targets/services_level1_pct?period={YEAR}&show=all").get_data(as_text=True)
    assert "chưa có dữ liệu" in page


def test_a_closed_period_refuses_every_transition_and_save(db, make):
    a = make.agency()
    s = make.service(a)
    submitted = make.submission(a, YEAR, "submitted", levels={s.id: 1})
    other = make.agency()
    verified = make.submission(other, YEAR, "verified")
    _close(db, YEAR)
    for action in (lambda: workflow.verify(db, submitted, TEST_ACTOR),
                   lambda: workflow.return_(db, submitted, TEST_ACTOR, "Thiếu"),
                   lambda: workflow.reopen(db, verified, TEST_ACTOR, "Sửa"),
                   lambda: workflow.submit(db, submitted, TEST_ACTOR),
                   lambda: entries.save(db, a, YEAR, TEST_ACTOR, submitted.version, {"has_lan": True}, None)):
        with pytest.raises(Conflict) as refused:
            action()
        assert "đã khóa" in str(refused.value.message)
        db.rollback()


def test_closing_lists_what_is_unfinished(db, make):
    make.agency(code="nothing", name="Chưa làm gì")
    drafting = make.agency(code="drafting", name="Đang soạn")
    make.submission(drafting, YEAR, "draft")
    returned = make.agency(code="returned", name="Bị trả")
    make.submission(returned, YEAR, "returned")
    done = make.agency(code="done", name="Xong")
    make.submission(done, YEAR, "verified")
    left = periods.unfinished(db, YEAR)
    assert left == {"draft": [("drafting", "Đang soạn")], "submitted": [], "returned": [("returned", "Bị trả")],
                    "nothing": [("nothing", "Chưa làm gì")]}


def test_target_versions_judge_their_periods(client, db, make):
    a = make.agency()
    services = [make.service(a) for _ in range(10)]
    make.submission(a, YEAR, levels={s.id: 3 for s in services[:9]})
    make.submission(a, YEAR + 1, levels={s.id: 3 for s in services[:9]})
    target = db.exec(select(Target).where(Target.code == "services_level3_count")).one()
    with pytest.raises(ValidationFailed) as refused:  # a new threshold needs titles that state it
        revise_target(db, TEST_ACTOR, target, {"effective_from": YEAR + 1, "threshold": 10})
    assert set(refused.value.fields) == {"title_vi", "title_en"}
    revise_target(db, TEST_ACTOR, target, {"effective_from": YEAR + 1, "threshold": 10,
                                           "title_vi": "10 dịch vụ công mức độ 3",
                                           "title_en": "10 services at level 3"})
    db.commit()

    def result(year):
        body = client.get(f"/api/v1/targets?period={year}").get_json()
        return {t["code"]: t for t in body["targets"]}["services_level3_count"]

    old, new = result(YEAR), result(YEAR + 1)
    assert (old["threshold"], old["met"], old["version"]) == (9, True, {"number": 1, "effective_from": None})
    assert (new["threshold"], new["met"], new["version"]) == (10, False, {"number": 2, "effective_from": YEAR + 1})
    assert new["title"] == "10 dịch vụ công mức độ 3" and old["title"].startswith("9 dịch vụ")
    _close(db, YEAR)
    with pytest.raises(ValidationFailed):  # a closed period is re-opened first
        revise_target(db, TEST_ACTOR, target, {"effective_from": YEAR, "threshold": 8, "title_vi": "8 dịch vụ",
                                               "title_en": "8 services"})


def test_validity_in_time(db, make):
    from registry.targets.engine import compute_targets

    a = make.agency()
    make.service(a, code="old", valid_to=YEAR)
    make.service(a, code="new", valid_from=YEAR + 1)
    make.service(a, code="always")
    make.period(YEAR)
    make.period(YEAR + 1)
    counts = {year: {r.target.code: r for r in compute_targets(db, year)}["services_level1_pct"].denominator
              for year in (YEAR, YEAR + 1)}
    assert counts == {YEAR: 2, YEAR + 1: 2}
    gone = make.agency(code="gone", valid_to=YEAR)
    make.service(gone, code="g-1")
    assert {r.target.code: r for r in compute_targets(db, YEAR + 1)}["services_level1_pct"].denominator == 2
    assert {r.target.code: r for r in compute_targets(db, YEAR)}["services_level1_pct"].denominator == 3


# --- the command ------------------------------------------------------------------------------------

def test_period_commands(runner, db, make):
    a = make.agency(code="late", name="Cơ quan chậm")
    make.submission(a, YEAR, "draft")
    result = runner.invoke(["period", "open", str(YEAR + 1), "--due", f"{YEAR + 2}-02-15"])
    assert result.exit_code == 0, result.output
    db.rollback()
    assert db.get(ReportingPeriod, YEAR + 1).due.isoformat() == f"{YEAR + 2}-02-15"
    refused = runner.invoke(["period", "open", str(YEAR + 2), "--due", "15/02/2030"])
    assert refused.exit_code != 0 and "NNNN-TT-NN" in refused.output
    db.rollback()
    assert db.get(ReportingPeriod, YEAR + 2) is None  # nothing written
    result = runner.invoke(["period", "close", str(YEAR)], input="n\n")
    assert result.exit_code != 0
    assert "bản nháp: 1 cơ quan" in result.output and "late  Cơ quan chậm" in result.output
    db.rollback()
    assert db.get(ReportingPeriod, YEAR).status == PeriodStatus.open.value
    result = runner.invoke(["period", "close", str(YEAR)], input="y\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(["period", "close", str(YEAR), "--yes"])
    assert result.exit_code != 0 and "đã khóa rồi" in result.output
    result = runner.invoke(["period", "reopen", str(YEAR)])
    assert result.exit_code != 0
    result = runner.invoke(["period", "reopen", str(YEAR), "--reason", "Sửa số liệu sở A"])
    assert result.exit_code == 0, result.output
    db.rollback()
    assert db.get(ReportingPeriod, YEAR).status == PeriodStatus.correcting.value
    assert runner.invoke(["period", "close", str(YEAR), "--yes"]).exit_code == 0
    db.rollback()
    assert db.get(ReportingPeriod, YEAR).status == PeriodStatus.closed.value


def test_target_revise_command(runner, db):
    result = runner.invoke(["target", "revise", "services_level3_count", "--from", "2016", "--threshold", "15",
                            "--title-vi", "15 dịch vụ công mức độ 3", "--title-en", "15 services at level 3"])
    assert result.exit_code == 0, result.output
    assert "phiên bản 2" in result.output
    result = runner.invoke(["target", "revise", "services_level3_count", "--from", "2017", "--threshold", "20"])
    assert result.exit_code != 0 and "title_vi" in result.output
    result = runner.invoke(["target", "revise", "no_such_target", "--from", "2017", "--threshold", "20"])
    assert result.exit_code != 0


# --- validity kept by the operations and the importer (SPEC §2) ----------------------------------

def test_adding_and_switching_off_records_keeps_closed_periods(db, make):
    from registry.catalogue import records
    from registry.dataio.importing import import_table

    a = make.agency(code="so-a")
    make.period(YEAR)
    make.period(YEAR + 1)
    _close(db, YEAR)
    added = records.create_service(db, TEST_ACTOR, {"code": "moi", "name": "Mới", "agency_code": "so-a",
                                                   "sector": "Hộ tịch"})
    assert (added.valid_from, added.valid_to) == (YEAR + 1, None)
    old = make.service(a, code="cu")
    records.update_service(db, TEST_ACTOR, old, {"active": False})
    assert old.valid_to == YEAR  # it existed in the closed period, not in the open one
    result = import_table(db, TEST_ACTOR, "services", ["code", "name", "agency_code", "sector", "valid_from"],
                          [(2, {"code": "nhap", "name": "Nhập", "agency_code": "so-a", "sector": "Hộ tịch",
                                "valid_from": "2016"})])
    assert not result.errors
    imported = db.exec(select(Service).where(Service.code == "nhap")).one()
    assert (imported.valid_from, imported.valid_to) == (2016, None)
    refused = import_table(db, TEST_ACTOR, "services", ["code", "name", "agency_code", "sector", "valid_from",
                                                        "valid_to"],
                           [(2, {"code": "x", "name": "X", "agency_code": "so-a", "sector": "Hộ tịch",
                                 "valid_from": "2016", "valid_to": "2015"})])
    assert [e.column for e in refused.errors] == ["valid_to"]
    db.rollback()


def test_imports_into_a_closed_period_are_refused(db, make):
    from registry.dataio.importing import import_table

    a = make.agency(code="so-a")
    make.service(a, code="a-1")
    make.period(YEAR)
    _close(db, YEAR)
    result = import_table(db, TEST_ACTOR, "levels", ["service_code", "period", "level"],
                          [(2, {"service_code": "a-1", "period": str(YEAR), "level": "0"})])
    assert [(e.row, e.column) for e in result.errors] == [(2, "period")]
    assert "đã khóa" in str(result.errors[0].reason)
    db.rollback()


def test_target_versions_page_and_code_kept_once_published(client, auth, db, make):
    from registry.targets import definitions

    make.user("admin", email="admin@example.vn")
    assert auth.login("admin@example.vn").status_code == 302
    target = db.exec(select(Target).where(Target.code == "services_level3_count")).one()
    db.rollback()
    page = client.get(f"/admin/targets/{target.id}/versions")
    assert page.status_code == 200 and "từ đầu" in page.get_data(as_text=True)
    refused = client.post(f"/admin/targets/{target.id}/versions", data={"effective_from": "2016", "threshold": "15"})
    assert refused.status_code == 422
    created = client.post(f"/admin/targets/{target.id}/versions", data={
        "effective_from": "2016", "threshold": "15", "title_vi": "15 dịch vụ công mức độ 3",
        "title_en": "15 services at level 3"})
    assert created.status_code == 302
    assert "15 dịch vụ công mức độ 3" in client.get(f"/admin/targets/{target.id}/versions").get_data(as_text=True)
    db.rollback()
    make.period(YEAR)
    _close(db, YEAR)
    target = db.exec(select(Target).where(Target.code == "services_level3_count")).one()
    with pytest.raises(ValidationFailed) as refused_code:
        definitions.update_target(db, TEST_ACTOR, target, {"code": "doi_ma"})
    assert "code" in refused_code.value.fields
    db.rollback()


def test_while_correcting_the_administrator_sees_what_closing_will_correct(client, auth, db, make):
    """§8.2: the public keeps the published figures; the administrator's close page lists the
    corrected figures, provisional, before they are published."""
    _a, _b, sub_b = _world(db, make)
    admin = make.user("admin")
    _close(db, YEAR)
    periods.reopen_period(db, TEST_ACTOR, db.get(ReportingPeriod, YEAR), "Sở B bổ sung mạng LAN")
    db.commit()
    auth.login(admin.email)
    nothing_yet = client.get(f"/admin/periods/{YEAR}/close").get_data(as_text=True)
    assert "Chưa có con số nào thay đổi so với số liệu đã công bố." in nothing_yet
    make.revise(sub_b, "verified", report={"has_lan": True})
    page = client.get(f"/admin/periods/{YEAR}/close").get_data(as_text=True)
    assert "Số liệu sẽ được đính chính khi khóa (tạm tính)" in page
    assert "Có mạng nội bộ (LAN)" in page and "agencies_network_pct" in page and "thứ hạng" in page
    network = {t["code"]: t for t in client.get(f"/api/v1/targets?period={YEAR}").get_json()["targets"]}
    assert network["agencies_network_pct"]["numerator"] == 1  # the public still reads what was published


def test_while_correcting_auditors_see_what_closing_will_correct(client, auth, db, make):
    """§8.2 for auditors: the queue names the re-opened period, and its page lists the corrected
    figures, provisional; after closing, the same page lists the published correction."""
    _a, _b, sub_b = _world(db, make)
    auditor = make.user("auditor")
    _close(db, YEAR)
    periods.reopen_period(db, TEST_ACTOR, db.get(ReportingPeriod, YEAR), "Sở B bổ sung mạng LAN")
    db.commit()
    make.revise(sub_b, "verified", report={"has_lan": True})
    auth.login(auditor.email)
    queue = client.get("/review/").get_data(as_text=True)
    assert f'href="/review/corrections/{YEAR}"' in queue
    page = client.get(f"/review/corrections/{YEAR}").get_data(as_text=True)
    assert "Sở B bổ sung mạng LAN" in page and "Số liệu sẽ được đính chính khi khóa (tạm tính)" in page
    assert "agencies_network_pct" in page and "Có mạng nội bộ (LAN)" in page
    assert "Kỳ này chưa có đính chính nào đã công bố." in page
    _close(db, YEAR)
    closed = client.get(f"/review/corrections/{YEAR}").get_data(as_text=True)
    assert "không có đính chính nào đang chờ" in closed
    assert "Sở B bổ sung mạng LAN" in closed and "agencies_network_pct" in closed  # now published
    assert f'href="/review/corrections/{YEAR}"' not in client.get("/review/").get_data(as_text=True)
    assert client.get("/review/corrections/1999").status_code == 404
    auth.logout()
    assert client.get(f"/review/corrections/{YEAR}").status_code in (302, 401)


def test_a_closed_periods_ranking_is_read_from_what_was_published(client, runner, db, make):
    """Rule 12 for the ranking: renaming an agency and moving it to another group after closing
    changes nothing of the closed period's ranking (page, API, command, scorecard); the open
    period follows the agency as it is now."""
    a, _b, _sub_b = _world(db, make)
    make.submission(make.agency(code="ubnd-x", name="UBND huyện X", tier="district", kind="people_committee"), YEAR)
    _close(db, YEAR)
    shown = {"api": client.get(f"/api/v1/rankings?period={YEAR}&scorecards=true").get_json(),
             "command": runner.invoke(args=["ranking", "--period", str(YEAR)]).output,
             "page": client.get(f"/rankings?period={YEAR}").get_data(as_text=True)}
    groups = {g["code"]: [e["code"] for e in g["agencies"]] for g in shown["api"]["groups"]}
    assert "so-a" in groups["departments"] and groups["districts"] == ["ubnd-x"]
    records.update_agency(db, TEST_ACTOR, a, {"name": "Sở A (tên mới)", "tier": "district",
                                              "kind": "people_committee"})
    db.commit()
    assert client.get(f"/api/v1/rankings?period={YEAR}&scorecards=true").get_json() == shown["api"]
    assert runner.invoke(args=["ranking", "--period", str(YEAR)]).output == shown["command"]
    page = client.get(f"/rankings?period={YEAR}").get_data(as_text=True)
    assert "Sở A" in page and "tên mới" not in page
    now = client.get(f"/api/v1/rankings?period={YEAR + 1}").get_json()
    moved = {g["code"]: [e["code"] for e in g["agencies"]] for g in now["groups"]}
    assert "so-a" in moved["districts"] and "so-a" not in moved["departments"]
    assert any(e["name"] == "Sở A (tên mới)" for g in now["groups"] for e in g["agencies"])


def test_a_period_published_before_the_figures_part_gets_one_as_it_was_published(client, db, make):
    """`registry init` completes an older publication: the agencies' figures from the frozen verified
    data, named and grouped as the published agencies part has them, not as they are now."""
    a, _b, _sub_b = _world(db, make)
    _close(db, YEAR)
    shown = client.get(f"/api/v1/rankings?period={YEAR}").get_json()
    db.delete(db.get(PublishedPart, (YEAR, "verified", "figures")))  # as a release before the part published it
    records.update_agency(db, TEST_ACTOR, a, {"name": "Sở A (tên mới)", "tier": "district",
                                              "kind": "people_committee"})
    db.commit()
    assert client.get(f"/api/v1/rankings?period={YEAR}").get_json() != shown  # read live: today's names
    assert publication.complete_publications(db) == [YEAR]
    db.commit()
    assert client.get(f"/api/v1/rankings?period={YEAR}").get_json() == shown
    assert publication.complete_publications(db) == []  # twice is once
