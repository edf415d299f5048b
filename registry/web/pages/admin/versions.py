"""Versions of targets and of province-wide indicators (rule 11, SPEC §3b): a definition's
versions, and a new one from a period on."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from registry.core.errors import DomainError
from registry.indicators.versions import INDICATORS, revise_indicator
from registry.models import Indicator, Target
from registry.targets.versions import TARGETS, in_force, revise_target
from registry.web.admin_forms import IndicatorVersionForm, TargetVersionForm, form_values
from registry.web.auth import current_actor
from registry.web.db import get_session
from registry.web.lifecycle import refused
from registry.web.pages.admin import bp, invalid_form, load, require_admin

LATEST = 2100  # after every period: in_force gives the version in force last


def _page(row, versioned, form, heading, action, status=200):
    return render_template("admin/versions.html", heading=heading, action=action, form=form, unit=row.unit,
                           with_scope="scope" in versioned.fields,
                           versions=versioned.versions_of(get_session(), row)), status


def _versions(row, versioned, form_class, revise, heading, action, done, **blank):
    """GET: the versions and an empty form; POST: one new version (load → permission happened)."""
    if request.method != "POST":
        return _page(row, versioned, form_class(formdata=None, **blank), heading, action)
    form = form_class()
    if not form.validate():
        invalid_form()
        return _page(row, versioned, form, heading, action, 422)
    try:
        version = revise(get_session(), current_actor(), row, form_values(form, ("effective_from",
                                                                                 *versioned.fields)))
    except DomainError as exc:
        return _page(row, versioned, form, heading, action, refused(exc, form))
    flash(done(version), "info")
    return redirect(action)


@bp.route("/targets/<int:target_id>/versions", methods=["GET", "POST"])
def target_versions(target_id: int):
    require_admin("target", target_id)
    target = load(Target, target_id)
    # the grid starts at the scope in force (the latest version's): left as it is, it changes nothing
    latest = in_force(get_session(), LATEST, [target])[0][0]
    return _versions(target, TARGETS, TargetVersionForm, revise_target,
                     _("Các phiên bản của chỉ tiêu %(code)s", code=target.code),
                     url_for(".target_versions", target_id=target.id),
                     lambda v: _("Đã tạo phiên bản %(n)s của chỉ tiêu %(code)s, áp dụng từ kỳ %(year)s.",
                                 n=v.number, code=target.code, year=v.effective_from),
                     scope=latest.scope or "")


@bp.route("/indicators/<int:indicator_id>/versions", methods=["GET", "POST"])
def indicator_versions_page(indicator_id: int):
    require_admin("indicator", indicator_id)
    indicator = load(Indicator, indicator_id)
    return _versions(indicator, INDICATORS, IndicatorVersionForm,
                     revise_indicator,
                     _("Các phiên bản của chỉ số %(code)s", code=indicator.code),
                     url_for(".indicator_versions_page", indicator_id=indicator.id),
                     lambda v: _("Đã tạo phiên bản %(n)s của chỉ số %(code)s, áp dụng từ kỳ %(year)s.",
                                 n=v.number, code=indicator.code, year=v.effective_from))
