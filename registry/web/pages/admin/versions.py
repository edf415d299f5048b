"""Target versions (rule 11): a target's versions, and a new one from a period on."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from registry.core.errors import DomainError
from registry.models import Target
from registry.targets import versions
from registry.web.admin_forms import TargetVersionForm, form_values
from registry.web.auth import current_actor
from registry.web.db import get_session
from registry.web.lifecycle import refused
from registry.web.pages.admin import bp, invalid_form, load, require_admin

FIELDS = ("effective_from", *versions.VERSIONED_FIELDS)
LATEST = 2100  # after every period: in_force gives the version in force last


def _page(target, form, status=200):
    return render_template("admin/target_versions.html", target=target, form=form,
                           versions=versions.versions_of(get_session(), target)), status


@bp.route("/targets/<int:target_id>/versions", methods=["GET", "POST"])
def target_versions(target_id: int):
    require_admin("target", target_id)
    target = load(Target, target_id)
    if request.method != "POST":
        # the grid starts at the scope in force (the latest version's): left as it is, it changes nothing
        latest = versions.in_force(get_session(), LATEST, [target])[0][0]
        return _page(target, TargetVersionForm(formdata=None, scope=latest.scope or ""))
    form = TargetVersionForm()
    if not form.validate():
        invalid_form()
        return _page(target, form, 422)
    try:
        version = versions.revise_target(get_session(), current_actor(), target, form_values(form, FIELDS))
    except DomainError as exc:
        return _page(target, form, refused(exc, form))
    flash(_("Đã tạo phiên bản %(n)s của chỉ tiêu %(code)s, áp dụng từ kỳ %(year)s.", n=version.number,
            code=target.code, year=version.effective_from), "info")
    return redirect(url_for(".target_versions", target_id=target.id))
