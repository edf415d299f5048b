"""Agencies, services and targets: a list each, and one editor for creating and editing.

The three kinds of record share their pages' shape: a form, checked by WTForms
for its own fields and by the domain operation for the rest, whose messages are
put beside the fields (lifecycle.refused). Each kind says what differs in an
``Editor``.
"""

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import select

from registry.catalogue import records as catalogue
from registry.core.errors import N_, DomainError
from registry.indicators.definitions import all_indicators
from registry.models import REPORT_COUNTS, REPORT_FLAGS, Agency, Kind, Service, Target, Tier
from registry.targets import definitions
from registry.web.admin_forms import AgencyForm, ServiceForm, TargetForm, form_values
from registry.web.auth import current_actor
from registry.web.db import get_session
from registry.web.lifecycle import refused
from registry.web.pages.admin import (
    DATALIST_LIMIT,
    active_filter,
    agency_codes,
    args,
    bp,
    invalid_form,
    load,
    paginate,
    require_admin,
    search,
)


@dataclass(frozen=True)
class Editor:
    """What the create and edit pages of one kind of record need to know."""

    entity: str  # the permission gate's and audit log's name, and the template's for the record
    listing: str  # the endpoint of the list to go back to
    model: type
    form: type
    template: str
    fields: tuple[str, ...]
    create: Callable  # (session, actor, values) -> record
    update: Callable  # (session, actor, record, values) -> record
    form_data: Callable  # (session, record) -> the edit form's initial data
    created: str  # message id with %(code)s
    saved: str  # message id with %(code)s
    context: Callable[[], dict] = field(default=dict)  # more for the template (suggestion lists)
    prefill: Callable[[Any], None] = field(default=lambda _form: None)  # a new record's form from the query


def _page(editor: Editor, form, record=None, status=200):
    return render_template(editor.template, form=form, **{editor.entity: record}, **editor.context()), status


def edit(editor: Editor, record_id: int | None = None):
    """Create (``record_id`` None) or edit one record: load (404) → permission (403) →
    validate (422) → one operation → redirect to the list."""
    require_admin(editor.entity, record_id)
    record = load(editor.model, record_id) if record_id is not None else None
    session = get_session()
    if request.method != "POST":
        form = editor.form(data=editor.form_data(session, record)) if record is not None else editor.form()
        if record is None:
            editor.prefill(form)
        return _page(editor, form, record)
    form = editor.form()
    if not form.validate():
        invalid_form()
        return _page(editor, form, record, 422)
    values = form_values(form, editor.fields)
    try:
        if record is None:
            record = editor.create(session, current_actor(), values)
            message = editor.created
        else:
            editor.update(session, current_actor(), record, values)
            message = editor.saved
    except DomainError as exc:
        return _page(editor, form, record, refused(exc, form))
    flash(_(message, code=record.code), "info")
    return redirect(url_for(editor.listing))


def _route(rule: str, endpoint: str, editor: Editor) -> None:
    """``rule`` (with at most one number, the record's id) shows ``editor``'s page."""
    def view(**record_id):
        return edit(editor, *record_id.values())

    view.__name__ = endpoint
    bp.add_url_rule(rule, endpoint, view, methods=["GET", "POST"])


# --- agencies ------------------------------------------------------------------------

@bp.get("/agencies")
def agencies():
    require_admin("agency")
    filters = args("tier", "kind", "active", "q")
    parent = aliased(Agency)
    conditions = []
    if filters["tier"] in [t.value for t in Tier]:
        conditions.append(Agency.tier == filters["tier"])
    if filters["kind"] in [k.value for k in Kind]:
        conditions.append(Agency.kind == filters["kind"])
    active = active_filter(Agency.active, filters["active"])
    if active is not None:
        conditions.append(active)
    if filters["q"]:
        conditions.append(search([Agency.code, Agency.name, Agency.name_en], filters["q"]))
    statement = (select(Agency, parent.code.label("parent_code"))
                 .join(parent, parent.id == Agency.parent_id, isouter=True)
                 .where(*conditions).order_by(Agency.code))
    page = paginate(statement, select(func.count()).select_from(Agency).where(*conditions))
    return render_template("admin/agencies.html", page=page, filters=filters, tiers=list(Tier), kinds=list(Kind))


AGENCY = Editor("agency", ".agencies", Agency, AgencyForm, "admin/agency_form.html", catalogue.AGENCY_FIELDS,
                catalogue.create_agency, catalogue.update_agency, catalogue.agency_values,
                N_("Đã thêm cơ quan %(code)s."), N_("Đã lưu cơ quan %(code)s."),
                context=lambda: {"agency_codes": agency_codes()})
_route("/agencies/new", "agency_new", AGENCY)
_route("/agencies/<int:agency_id>", "agency_edit", AGENCY)


# --- services --------------------------------------------------------------------------

@bp.get("/services")
def services():
    require_admin("service")
    filters = args("agency", "sector", "active", "q")
    conditions = []
    if filters["agency"]:
        conditions.append(Agency.code == filters["agency"])
    if filters["sector"]:
        conditions.append(Service.sector == filters["sector"])
    active = active_filter(Service.active, filters["active"])
    if active is not None:
        conditions.append(active)
    if filters["q"]:
        conditions.append(search([Service.code, Service.name, Service.name_en], filters["q"]))
    statement = (select(Service, Agency.code.label("agency_code"), Agency.name.label("agency_name"),
                        Agency.active.label("agency_active"))
                 .join(Agency, Agency.id == Service.agency_id).where(*conditions).order_by(Service.code))
    count = select(func.count()).select_from(Service).join(Agency, Agency.id == Service.agency_id).where(*conditions)
    page = paginate(statement, count)
    return render_template("admin/services.html", page=page, filters=filters, sectors=_sectors(),
                           agency_codes=agency_codes())


def _sectors():
    return get_session().execute(select(Service.sector).distinct().order_by(Service.sector)
                                 .limit(DATALIST_LIMIT)).scalars().all()


def _prefill_agency(form) -> None:
    if request.args.get("agency"):
        form.agency_code.data = request.args["agency"][:64]


SERVICE = Editor("service", ".services", Service, ServiceForm, "admin/service_form.html", catalogue.SERVICE_FIELDS,
                 catalogue.create_service, catalogue.update_service, catalogue.service_values,
                 N_("Đã thêm dịch vụ %(code)s."), N_("Đã lưu dịch vụ %(code)s."),
                 context=lambda: {"agency_codes": agency_codes(), "sectors": _sectors()}, prefill=_prefill_agency)
_route("/services/new", "service_new", SERVICE)
_route("/services/<int:service_id>", "service_edit", SERVICE)


# --- targets ---------------------------------------------------------------------------

@bp.get("/targets")
def targets():
    require_admin("target")
    rows = get_session().execute(select(Target).order_by(Target.position, Target.code)).scalars().all()
    return render_template("admin/targets.html", targets=rows,
                           unusable={t.id for t in rows if definitions.definition_errors(t)},
                           indicators=all_indicators(get_session()))


def _target_form_data(_session, target: Target) -> dict:
    data = definitions.target_values(target)
    data["flags"] = list(definitions.target_flags(target))
    data["min_level"] = "" if target.min_level is None else str(target.min_level)
    for name in ("numerator_field", "denominator_field", "scope"):
        data[name] = data[name] or ""
    data["threshold"], data["deadline"], data["position"] = (str(target.threshold), str(target.deadline),
                                                              str(target.position))
    return data


TARGET = Editor("target", ".targets", Target, TargetForm, "admin/target_form.html", definitions.TARGET_FIELDS,
                definitions.create_target, definitions.update_target, _target_form_data,
                N_("Đã thêm chỉ tiêu %(code)s."), N_("Đã lưu chỉ tiêu %(code)s."),
                context=lambda: {"tiers": list(Tier), "kinds": list(Kind), "report_flags": REPORT_FLAGS,
                                 "report_counts": REPORT_COUNTS})
_route("/targets/new", "target_new", TARGET)
_route("/targets/<int:target_id>", "target_edit", TARGET)
