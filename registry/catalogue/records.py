"""Agencies and services as an administrator keeps them (SPEC §2): checked, audited.

Plain operations over a database session: the admin pages, the CLI or a script
call the same functions. Each checks every value it is given, reports every
problem at once as ``{field: message}``, writes, records an audit event with the
values before and after, and flushes; the caller commits.
"""

from sqlmodel import Session, select

from registry.audit import Actor
from registry.audit.records import RecordKind, create_record, update_record
from registry.catalogue.validity import deactivated_valid_to, default_valid_from
from registry.core.errors import N_, Msg
from registry.core.validation import FormReader, clean_text
from registry.models import Agency, Kind, Service, Tier

AGENCY_FIELDS = ("code", "name", "name_en", "tier", "kind", "parent_code", "active")
SERVICE_FIELDS = ("code", "name", "name_en", "agency_code", "sector", "active", "procedure_code")


def by_code(session: Session, model, code: str | None):
    if not code:
        return None
    return session.exec(select(model).where(model.code == code)).first()


def _check_code(session: Session, f: FormReader, model, record, taken: str) -> str | None:
    code = f.code("code")
    if code and "code" not in f.errors:
        other = by_code(session, model, code)
        if other is not None and (record is None or other.id != record.id):
            f.taken["code"] = Msg(taken, code=code)
    return code


def validity_change(session: Session, record, active: bool) -> dict:
    """The validity columns a create or an edit sets (SPEC §2): a new record is valid from
    the first period that is not closed; switching one off ends its validity after the last
    closed period (closed periods keep it); switching it on again lifts that end."""
    if record is None:
        return {"valid_from": default_valid_from(session),
                "valid_to": None if active else deactivated_valid_to(session)}
    if record.active and not active:
        return {"valid_to": deactivated_valid_to(session)}
    if active and not record.active:
        return {"valid_to": None}
    return {}


# --- agencies -----------------------------------------------------------------------

AGENCY_TAKEN = N_("đã có cơ quan mã %(code)s")


def agency_values(session: Session, agency: Agency) -> dict:
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    return {"code": agency.code, "name": agency.name, "name_en": agency.name_en, "tier": agency.tier,
            "kind": agency.kind, "parent_code": parent.code if parent else None, "active": agency.active}


def _check_agency(session: Session, values: dict, agency: Agency | None) -> tuple[dict, dict]:
    f = FormReader(values)
    clean = {
        "code": _check_code(session, f, Agency, agency, AGENCY_TAKEN),
        "name": f.text("name", 255),
        "name_en": f.text("name_en", 255, required=False),
        "tier": f.choice("tier", [t.value for t in Tier]),
        "kind": f.choice("kind", [k.value for k in Kind]),
        "parent_code": clean_text(values.get("parent_code")) or None,
        "active": f.boolean("active"),
    }
    parent = None
    parent_code = clean["parent_code"]
    if parent_code:
        parent = by_code(session, Agency, parent_code)
        if parent_code == clean["code"] or (parent is not None and agency is not None and parent.id == agency.id):
            f.fail("parent_code", N_("cơ quan không thể là cấp trên của chính nó"))
        elif parent is None:
            f.fail("parent_code", Msg(N_("không có cơ quan mã %(code)s"), code=parent_code))
        elif agency is not None and _is_descendant(session, parent, agency):
            f.fail("parent_code", N_("quan hệ cấp trên tạo thành vòng lặp"))
    other = province_committee(session, clean["tier"], clean["kind"], agency, parent)
    if other is not None:
        f.fail("kind", Msg(PROVINCE_COMMITTEE_TAKEN, code=other.code))
    f.check(AGENCIES.invalid)
    columns = {k: v for k, v in clean.items() if k != "parent_code"}
    columns["parent_id"] = parent.id if parent else None
    columns.update(validity_change(session, agency, clean["active"]))
    return clean, columns


PROVINCE_COMMITTEE_TAKEN = N_("UBND tỉnh đã có trong danh mục (mã %(code)s); Văn phòng UBND tỉnh đại diện cho "
                              "UBND tỉnh: một cơ quan, không bao giờ cả hai")


def _is_committee(agency: Agency | None) -> bool:
    return (agency is not None and agency.tier == Tier.province.value
            and agency.kind == Kind.people_committee.value)


def province_committee(session: Session, tier: str | None, kind: str | None, agency: Agency | None = None,
                       parent: Agency | None = None):
    """The province's people's committee that this agency would stand beside as a
    second one, else None (SPEC §2: the committee is represented by its office, one
    agency, never both): a province-tier people's committee under another, or with
    another under it. Committees of different provinces (a national registry) are
    unrelated and allowed."""
    if tier != Tier.province.value or kind != Kind.people_committee.value:
        return None
    if _is_committee(parent) and (agency is None or parent.id != agency.id):
        return parent
    if agency is not None and agency.id is not None:
        return session.exec(select(Agency).where(Agency.parent_id == agency.id, Agency.tier == tier,
                                                 Agency.kind == kind, Agency.active)
                            .order_by(Agency.code)).first()
    return None


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


AGENCIES = RecordKind(Agency, "agency", AGENCY_FIELDS, N_("Thông tin cơ quan chưa hợp lệ."), AGENCY_TAKEN,
                      agency_values, _check_agency, defaults={"active": True})


def create_agency(session: Session, actor: Actor, values: dict) -> Agency:
    return create_record(session, actor, AGENCIES, values)


def update_agency(session: Session, actor: Actor, agency: Agency, changes: dict) -> Agency:
    """The fields to change; a field left out keeps its value."""
    return update_record(session, actor, AGENCIES, agency, changes)


# --- services -----------------------------------------------------------------------

SERVICE_TAKEN = N_("đã có dịch vụ mã %(code)s")


def service_values(session: Session, service: Service) -> dict:
    agency = session.get(Agency, service.agency_id)
    return {"code": service.code, "name": service.name, "name_en": service.name_en,
            "agency_code": agency.code if agency else None, "sector": service.sector, "active": service.active,
            "procedure_code": service.procedure_code}


def _check_service(session: Session, values: dict, service: Service | None) -> tuple[dict, dict]:
    f = FormReader(values)
    clean = {
        "code": _check_code(session, f, Service, service, SERVICE_TAKEN),
        "name": f.text("name", 500),
        "name_en": f.text("name_en", 500, required=False),
        "agency_code": clean_text(values.get("agency_code")) or None,
        "sector": f.text("sector", 128),
        "active": f.boolean("active"),
        # left empty: the service is its own procedure (SPEC §2)
        "procedure_code": f.code("procedure_code") if clean_text(values.get("procedure_code")) else None,
    }
    agency = None
    if not clean["agency_code"]:
        f.fail("agency_code", N_("bắt buộc"))
    else:
        agency = by_code(session, Agency, clean["agency_code"])
        if agency is None:
            f.fail("agency_code", Msg(N_("không có cơ quan mã %(code)s"), code=clean["agency_code"]))
    f.check(SERVICES.invalid)
    clean["procedure_code"] = clean["procedure_code"] or clean["code"]
    columns = {k: v for k, v in clean.items() if k != "agency_code"}
    columns["agency_id"] = agency.id
    columns.update(validity_change(session, service, clean["active"]))
    return clean, columns


SERVICES = RecordKind(Service, "service", SERVICE_FIELDS, N_("Thông tin dịch vụ chưa hợp lệ."), SERVICE_TAKEN,
                      service_values, _check_service, defaults={"active": True})


def create_service(session: Session, actor: Actor, values: dict) -> Service:
    return create_record(session, actor, SERVICES, values)


def update_service(session: Session, actor: Actor, service: Service, changes: dict) -> Service:
    """The fields to change; a field left out keeps its value."""
    return update_record(session, actor, SERVICES, service, changes)


def parent_depths(records) -> dict[str, int]:
    """How far each agency of the file is below an agency already written (or none):
    parents are written a level before their children, so that their ids are known."""
    parents = {r["code"]: r["parent_code"] for _, r in records}
    depths: dict[str, int] = {}

    def depth(code):
        if code not in depths:
            parent = parents.get(code)
            # the checks refused cycles and unknown parents
            depths[code] = 0 if not parent or parent not in parents else depth(parent) + 1
        return depths[code]

    for code in parents:
        depth(code)
    return depths
