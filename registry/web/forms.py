"""WTForms for the pages. Messages are Vietnamese message ids, translated lazily."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from registry.accounts.passwords import MIN_PASSWORD_LENGTH


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path of this site, else None (no open redirect)."""
    if not target or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


class LoginForm(FlaskForm):
    # type=email: the phone shows the keyboard with "@"; the server still decides (novalidate)
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Hãy nhập e-mail.")), Length(max=254)],
                       render_kw={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"})
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Hãy nhập mật khẩu.")), Length(max=1000)])
    next = HiddenField()
    submit = SubmitField(_l("Đăng nhập"))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(_l("Hãy nhập mật khẩu hiện tại."))])
    new = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(_l("Hãy nhập mật khẩu mới.")),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Mật khẩu phải có ít nhất 12 ký tự."))])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        EqualTo("new", message=_l("Hai lần nhập mật khẩu mới không khớp."))])
    submit = SubmitField(_l("Đổi mật khẩu"))


class TokenForm(FlaskForm):
    name = StringField(_l("Tên mã truy cập"), validators=[
        DataRequired(_l("Hãy đặt tên cho mã truy cập.")), Length(max=100, message=_l("Tối đa 100 ký tự."))])
    submit = SubmitField(_l("Tạo mã truy cập"))


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token (logout, revoke, …)."""

    submit = SubmitField(_l("Xác nhận"))


class CommentForm(FlaskForm):
    version = HiddenField()
    comment = StringField(_l("Ghi chú"), validators=[Length(max=2000, message=_l("Tối đa 2000 ký tự."))])


