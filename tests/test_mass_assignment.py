"""Nothing is assigned from a request that its form or document does not name.

A focal point who adds ``state``, ``agency``, ``version`` or ``verified_sequence``
to a save, or a user who adds ``role`` to their password change, gets no
further than the fields the page offers.
"""

import pytest
from sqlmodel import select

from registry.models import Agency, Service, ServiceStatus, Submission, User
from tests.factories import FULL_REPORT, PASSWORD


@pytest.fixture
def world(runner, make):
    mine, theirs = make.agency(code="so-tp"), make.agency(code="so-yt")
    make.service(mine, code="1.001")
    make.service(theirs, code="2.001")
    make.period(2015)
    focal = make.user("focal", mine, email="focal@example.vn")
    token = runner.invoke(args=["token", "create", focal.email]).output.strip()
    return {"mine": mine, "theirs": theirs, "focal": focal, "headers": {"Authorization": f"Bearer {token}"}}


def submissions(db):
    """Who owns each submission, where it is in the workflow, and whether it was ever verified."""
    db.rollback()
    db.expire_all()
    return {(s.agency_id, s.period_year): (s.state, s.verified_sequence) for s in db.exec(select(Submission))}


def test_api_ignores_the_read_only_fields_it_hands_out(client, db, world):
    body = {"version": 0, "state": "verified", "agency": "so-yt", "period": 1999, "report": FULL_REPORT}
    response = client.put("/api/v1/agencies/so-tp/submissions/2015", json=body, headers=world["headers"])
    assert response.status_code == 200
    document = response.get_json()
    assert (document["state"], document["agency"], document["period"]) == ("draft", "so-tp", 2015)
    assert submissions(db) == {(world["mine"].id, 2015): ("draft", None)}


@pytest.mark.parametrize("extra", [
    {"verified_sequence": 5}, {"agency_id": 2}, {"id": 99}, {"submitted_by": 1}, {"role": "admin"}])
def test_api_refuses_fields_it_does_not_know(client, db, world, extra):
    body = {"version": 0, "report": FULL_REPORT, **extra}
    response = client.put("/api/v1/agencies/so-tp/submissions/2015", json=body, headers=world["headers"])
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == set(extra)
    assert submissions(db) == {}


@pytest.mark.parametrize("report_extra, service_extra", [
    ({"state": "verified"}, {}), ({"agency_id": 2}, {}), ({}, {"service_id": 2}),
    ({}, {"verified": True}), ({}, {"agency": "so-yt"})])
def test_api_refuses_unknown_fields_inside_the_report_and_the_services(client, db, world, report_extra,
                                                                       service_extra):
    body = {"version": 0, "report": {**FULL_REPORT, **report_extra},
            "services": [{"code": "1.001", "level": 0, **service_extra}]}
    response = client.put("/api/v1/agencies/so-tp/submissions/2015", json=body, headers=world["headers"])
    assert response.status_code == 422
    assert submissions(db) == {}
    db.rollback()
    assert db.exec(select(ServiceStatus)).all() == []


def test_a_service_of_another_agency_cannot_be_written_through_ones_own(client, db, world):
    body = {"version": 0, "services": [{"code": "2.001", "level": 1, "info_url": "https://x.example/"}]}
    response = client.put("/api/v1/agencies/so-tp/submissions/2015", json=body, headers=world["headers"])
    assert response.status_code == 422
    assert submissions(db) == {}


def test_workspace_form_ignores_state_agency_and_sequence(client, auth, db, world):
    auth.login(world["focal"].email)
    form = {"version": "0", "action": "save", "state": "verified", "agency_id": str(world["theirs"].id),
            "agency": "so-yt", "period_year": "1999", "verified_sequence": "3",
            "report-staff_total": "12", "report-state": "verified"}
    assert client.post("/workspace/so-tp/2015", data=form).status_code == 302
    assert submissions(db) == {(world["mine"].id, 2015): ("draft", None)}
    saved = db.exec(select(Submission)).one()
    assert saved.staff_total == 12


def test_version_in_the_form_cannot_skip_ahead(client, auth, db, world):
    auth.login(world["focal"].email)
    client.post("/workspace/so-tp/2015", data={"version": "0", "action": "save", "report-staff_total": "12"})
    before = submissions(db)
    response = client.post("/workspace/so-tp/2015", data={"version": "41", "action": "save",
                                                          "report-staff_total": "13"})
    assert response.status_code == 409
    db.expire_all()
    assert submissions(db) == before and db.exec(select(Submission.staff_total)).one() == 12


def test_password_change_cannot_carry_a_role(client, auth, db, world):
    auth.login(world["focal"].email)
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": "a new long passphrase", "confirm": "a new long passphrase",
        "role": "admin", "agency_id": str(world["theirs"].id), "active": "0"})
    assert response.status_code == 302
    db.expire_all()
    user = db.get(User, world["focal"].id)
    assert (user.role, user.agency_id, user.active) == ("focal", world["mine"].id, True)


def test_admin_edit_of_a_user_changes_only_role_agency_and_active(client, auth, db, make_user, world):
    admin = make_user("admin", email="admin@example.vn")
    auth.login(admin.email)
    focal = world["focal"]
    before_hash = focal.password_hash
    response = client.post(f"/admin/users/{focal.id}", data={
        "role": "focal", "agency_code": "so-tp", "active": "y",
        "email": "attacker@example.vn", "password_hash": "x", "id": "1"})
    assert response.status_code == 302
    db.expire_all()
    user = db.get(User, focal.id)
    assert (user.email, user.password_hash) == ("focal@example.vn", before_hash)


def test_admin_edit_of_an_agency_cannot_change_its_id_or_services(client, auth, db, make_user, world):
    admin = make_user("admin", email="admin@example.vn")
    auth.login(admin.email)
    agency = world["mine"]
    response = client.post(f"/admin/agencies/{agency.id}", data={
        "code": "so-tp", "name": "Sở Tư pháp mới", "tier": "province", "kind": "department", "active": "y",
        "id": "999", "name_key": "hacked", "parent_id": str(world["theirs"].id)})
    assert response.status_code == 302
    db.expire_all()
    saved = db.get(Agency, agency.id)
    assert saved.name == "Sở Tư pháp mới" and saved.name_key != "hacked" and saved.parent_id is None
    assert db.exec(select(Service.agency_id).where(Service.code == "1.001")).one() == agency.id
