"""Response headers that keep the pages from being framed, sniffed or scripted from elsewhere.

Pages use no inline script and no inline style (charts and bars are SVG
attributes), so the Content-Security-Policy can be strict.
"""

from flask import Flask, request
from flask_login import current_user

from registry.core.errors import N_, ValidationFailed

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def _has_nul(fields) -> bool:
    return any("\x00" in name or any("\x00" in value for value in values) for name, values in fields.lists())


def carries_nul() -> bool:
    """Whether the path, the query, the form fields or a JSON body hold a NUL character.

    PostgreSQL refuses NUL in text, and no field of the registry can mean one; uploaded
    files are left to the importer, which names the problem itself.
    """
    if "\x00" in request.path or _has_nul(request.args):
        return True
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _has_nul(request.form)
    if request.is_json:
        body = request.get_data(cache=True)
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul():
        if carries_nul():
            raise ValidationFailed(N_("Dữ liệu gửi lên chứa ký tự NUL, là ký tự không được phép; "
                                      "không có gì thay đổi."))

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user and current_user.is_authenticated:
            # a signed-in page may hold drafts or personal data: never keep it in a cache
            headers["Cache-Control"] = "no-store"
        return response
