"""Sign-in, sign-out, password change and personal API tokens."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from registry.accounts import sessions
from registry.accounts import tokens as api_tokens
from registry.accounts import users as accounts
from registry.core.errors import DomainError, TooManyAttempts, translate
from registry.models import Role
from registry.web.auth import SignedInUser, current_actor
from registry.web.db import get_session
from registry.web.forms import ConfirmForm, LoginForm, PasswordChangeForm, TokenForm, safe_next
from registry.web.lifecycle import refused

bp = Blueprint("auth", __name__)


def home_for(user) -> str:
    return {Role.focal.value: url_for("workspace.index"), Role.auditor.value: url_for("review.queue"),
            Role.admin.value: url_for("admin.index")}.get(user.role, url_for("public.index"))


def _sign_in(user) -> None:
    """A new sign-in: a fresh cookie session and a new server-side row."""
    lang = cookie.get("lang")
    cookie.clear()
    if lang:
        cookie["lang"] = lang
    token = sessions.start_login_session(get_session(), user)
    login_user(SignedInUser(user, token))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        session = get_session()
        try:
            user = accounts.authenticate(session, current_actor(), form.email.data, form.password.data)
        except TooManyAttempts as exc:
            # the refusal is kept in the audit log: the request commits what the operation recorded
            flash(translate(exc.message, _), "error")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            flash(_("E-mail hoặc mật khẩu không đúng."), "error")
            return render_template("auth/login.html", form=form), 200
        _sign_in(user)
        return redirect(safe_next(form.next.data) or home_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        session = get_session()
        sessions.end_login_session(session, current_user.token)
    logout_user()
    lang = cookie.get("lang")
    cookie.clear()
    if lang:
        cookie["lang"] = lang
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("public.index"))


def _shown(exc: DomainError, form) -> int:
    """``exc``'s messages on ``form``, the request's writes kept (the operation wrote only its record)."""
    flash(translate(exc.message, _), "error")
    for name, message in exc.fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, translate(message, _)]
    return exc.status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        session = get_session()
        user = current_user.account
        try:
            accounts.change_password(session, current_actor(), user, form.current.data, form.new.data)
        except DomainError as exc:
            if isinstance(exc, TooManyAttempts) or "current" in exc.fields:
                # nothing changed but the count and the audit of the wrong try, which are kept
                status = _shown(exc, form)
            else:
                status = refused(exc, form)  # before rendering: its messages go on this page
            return render_template("auth/password.html", form=form), status
        sessions.end_all_login_sessions(session, user)
        _sign_in(user)
        flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."), "info")
        return redirect(home_for(user))
    return render_template("auth/password.html", form=form), 422 if form.errors else 200


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    session = get_session()
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = api_tokens.create_api_token(session, current_actor(), current_user.account, form.name.data)
        form = TokenForm(formdata=None)
    rows = api_tokens.tokens_of(session, current_user.account)
    return render_template("auth/tokens.html", form=form, tokens=rows, secret=secret, revoke_form=ConfirmForm(),
                           expiry=api_tokens.expiry, is_live=api_tokens.is_live,
                           lifetime_days=api_tokens.TOKEN_LIFETIME.days), 422 if form.errors else 200


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    session = get_session()
    api_tokens.revoke_api_token(session, current_actor(), current_user.account, token_id)
    flash(_("Đã thu hồi mã truy cập."), "info")
    return redirect(url_for("auth.tokens"))
