"""User accounts: list, create, edit (role, agency, active) and password reset."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import select

from registry.accounts import tokens as api_tokens
from registry.accounts import users as accounts
from registry.core.errors import DomainError
from registry.models import Agency, Role, User
from registry.web.admin_forms import PasswordResetForm, UserCreateForm, UserEditForm, form_values
from registry.web.auth import actor, current_actor
from registry.web.db import get_session
from registry.web.lifecycle import refused
from registry.web.pages.admin import (
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


@bp.get("/users")
def users():
    require_admin("user")
    filters = args("role", "active", "q")
    conditions = []
    if filters["role"] in [r.value for r in Role]:
        conditions.append(User.role == filters["role"])
    active = active_filter(User.active, filters["active"])
    if active is not None:
        conditions.append(active)
    if filters["q"]:
        conditions.append(search([User.email], filters["q"]))
    statement = (select(User, Agency.code.label("agency_code"), Agency.name.label("agency_name"))
                 .join(Agency, Agency.id == User.agency_id, isouter=True).where(*conditions).order_by(User.email))
    page = paginate(statement, select(func.count()).select_from(User).where(*conditions))
    return render_template("admin/users.html", page=page, filters=filters, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    require_admin("user")
    form = UserCreateForm()

    def page(status=200):
        return render_template("admin/user_new.html", form=form, agency_codes=agency_codes()), status

    if request.method != "POST":
        return page()
    if not form.validate():
        invalid_form()
        return page(422)
    try:
        user = accounts.create_user(get_session(), current_actor(),
                                    form_values(form, ("email", "role", "agency_code", "password")))
    except DomainError as exc:
        return page(refused(exc, form))
    flash(_("Đã tạo người dùng %(email)s.", email=user.email), "info")
    return redirect(url_for(".users"))


def _user_page(user, form=None, password_form=None, status=200):
    if form is None:
        form = UserEditForm(formdata=None, data=accounts.user_values(get_session(), user))
    return render_template("admin/user_edit.html", user=user, form=form,
                           password_form=password_form or PasswordResetForm(formdata=None),
                           is_self=user.id == actor().id, agency_codes=agency_codes(),
                           tokens=api_tokens.tokens_of(get_session(), user), expiry=api_tokens.expiry,
                           is_live=api_tokens.is_live), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    require_admin("user", user_id)
    user = load(User, user_id)
    if request.method != "POST":
        return _user_page(user)
    form = UserEditForm()
    if not form.validate():
        invalid_form()
        return _user_page(user, form, status=422)
    try:
        accounts.update_user(get_session(), current_actor(), user, form_values(form, accounts.USER_FIELDS))
    except DomainError as exc:
        return _user_page(user, form, status=refused(exc, form))
    flash(_("Đã lưu người dùng %(email)s.", email=user.email), "info")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    require_admin("user", user_id)
    user = load(User, user_id)
    form = PasswordResetForm()
    if not form.validate():
        invalid_form()
        return _user_page(user, password_form=form, status=422)
    me = actor()
    try:
        accounts.reset_password(get_session(), current_actor(), user, form.password.data,
                                keep_token=me.token if me.id == user.id else None)
    except DomainError as exc:
        return _user_page(user, password_form=form, status=refused(exc, form))
    flash(_("Đã đặt lại mật khẩu của %(email)s; các phiên đăng nhập của người này đã kết thúc.",
            email=user.email), "info")
    return redirect(url_for(".user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/tokens/revoke")
def user_tokens_revoke(user_id: int):
    """Revoke every API token of the user (a leaked token, a device lost)."""
    require_admin("user", user_id)
    user = load(User, user_id)
    count = api_tokens.revoke_all_api_tokens(get_session(), current_actor(), user, "revoked by an administrator")
    flash(_("Đã thu hồi %(count)s mã truy cập API của %(email)s.", count=count, email=user.email), "info")
    return redirect(url_for(".user_edit", user_id=user.id))
