"""The importer at national scale (registry/dataio/importing.py): a file of any size in a
few statements per batch, every record still audited as before, the same keys
as the ORM writes. Small files here; the rate itself is `make bench`'s."""

import pytest
from sqlmodel import func, select

from registry.dataio import importing
from registry.dataio.importing import import_file
from registry.models import Agency, AuditEvent, Service
from tests.factories import as_actor
from tests.test_target_cache import Statements


def services_csv(count: int, agency: str = "so-tp", first: int = 0, name: str = "Thủ tục") -> bytes:
    rows = "".join(f"s-{n:05d},{name} số {n},Procedure {n},{agency},Hộ tịch\n" for n in range(first, first + count))
    return ("code,name,name_en,agency_code,sector\n" + rows).encode("utf-8")


def run(db, kind, data: bytes, actor=None):
    result = import_file(db, as_actor(actor), kind, f"{kind}.csv", data)
    assert result.ok, result.errors
    db.commit()
    return result


@pytest.fixture
def agency(make_agency):
    return make_agency(code="so-tp", name="Sở Tư pháp")


def statements_for(db, data: bytes) -> int:
    with Statements(db.get_bind()) as statements:
        run(db, "services", data)
    return statements.count


def test_statements_do_not_grow_with_the_number_of_rows(db, agency):
    few = statements_for(db, services_csv(20))
    many = statements_for(db, services_csv(400, first=1000))
    assert many == few < 12


def test_rows_are_written_in_batches(db, agency, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_ROWS", 7)
    result = run(db, "services", services_csv(30))
    assert result.created == 30
    codes = db.exec(select(Service.code).order_by(Service.code)).all()
    assert codes == [f"s-{n:05d}" for n in range(30)]


def test_each_new_record_keeps_its_audit_event(db, agency, make_user):
    admin = make_user("admin")
    run(db, "services", services_csv(3), actor=admin)
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "service.create")
                     .order_by(AuditEvent.entity_key)).all()
    assert [e.entity_key for e in events] == ["s-00000", "s-00001", "s-00002"]
    assert all(e.entity == "service" and e.source == "import" and e.before is None for e in events)
    assert all(e.actor_id == admin.id and e.actor == admin.email for e in events)
    # every value the record was created with: its own procedure (no procedure_code given) and
    # its validity (no period yet: valid in every one)
    assert events[1].after == {"code": "s-00001", "name": "Thủ tục số 1", "name_en": "Procedure 1",
                               "agency_id": agency.id, "sector": "Hộ tịch", "active": True,
                               "procedure_code": "s-00001", "valid_from": None, "valid_to": None}
    summary = db.exec(select(AuditEvent).where(AuditEvent.action == "import.services")).one()
    assert summary.after == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "as_verified": False}


def test_changed_records_are_updated_with_before_and_after_and_new_keys(db, agency, make_agency):
    run(db, "services", services_csv(3))
    held = db.exec(select(Service).where(Service.code == "s-00001")).one()  # the caller holds one of them
    moved_to = make_agency(code="so-yt")
    changed = services_csv(3).decode().replace("Thủ tục số 1,", "Cấp lại thủ tục số 1,") \
        .replace("s-00002,Thủ tục số 2,Procedure 2,so-tp", "s-00002,Thủ tục số 2,Procedure 2,so-yt")
    result = run(db, "services", changed.encode())
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    updates = {e.entity_key: e for e in db.exec(select(AuditEvent).where(AuditEvent.action == "service.update"))}
    assert set(updates) == {"s-00001", "s-00002"}
    assert (updates["s-00001"].before, updates["s-00001"].after) == (
        {"name": "Thủ tục số 1"}, {"name": "Cấp lại thủ tục số 1"})
    assert (updates["s-00002"].before, updates["s-00002"].after) == (
        {"agency_id": agency.id}, {"agency_id": moved_to.id})
    assert held.name == "Cấp lại thủ tục số 1" and held in db  # still the caller's, and up to date
    assert held.name_key.startswith("s-00001 cap lai thu tuc")


def test_keys_are_those_the_orm_writes(db, agency):
    name, name_en = "Đăng ký khai sinh có yếu tố nước ngoài", "Birth registration"
    with db.begin_nested() as savepoint:  # what the ORM's mapper events store for the same record
        probe = Service(code="probe", name=name, name_en=name_en, agency_id=agency.id, sector="Hộ tịch")
        db.add(probe)
        db.flush()
        expected = (probe.name_key.replace("probe", "1.002"), probe.name_sort)
        savepoint.rollback()
    run(db, "services", f"code,name,name_en,agency_code,sector\n1.002,{name},{name_en},so-tp,Hộ tịch\n".encode())
    imported = db.exec(select(Service).where(Service.code == "1.002")).one()
    assert (imported.name_key, imported.name_sort) == expected


def test_children_listed_before_their_parents_get_them(db):
    rows = ("code,name,tier,kind,parent_code\n"
            "xa-a,Xã A,commune,people_committee,huyen-a\n"
            "huyen-a,Huyện A,district,people_committee,tinh\n"
            "truong-a,Trường A,commune,school,xa-a\n"
            "tinh,Tỉnh,province,people_committee,\n")
    result = run(db, "agencies", rows.encode())
    assert result.created == 4
    agencies = {a.code: a for a in db.exec(select(Agency))}
    parent = {code: next((p.code for p in agencies.values() if p.id == a.parent_id), None)
              for code, a in agencies.items()}
    assert parent == {"tinh": None, "huyen-a": "tinh", "xa-a": "huyen-a", "truong-a": "xa-a"}
    assert db.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "agency.create")).one() == 4


def test_a_reimport_writes_nothing(db, agency):
    run(db, "services", services_csv(50))
    events = db.exec(select(func.count()).select_from(AuditEvent)).one()
    result = run(db, "services", services_csv(50))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 50)
    assert db.exec(select(func.count()).select_from(AuditEvent)).one() == events + 1  # the import's own record
