"""Who is asking: sign-in cookies and bearer tokens on Flask-Login, and CSRF on Flask-WTF.

A sign-in is a row in login_session (accounts/sessions.py); the cookie carries
its random token as Flask-Login's user id. API clients may instead send a
personal token as ``Authorization: Bearer …``. A request that sends the
header is judged by its token alone: its cookie is ignored (a third site could
ride on a cookie, never on a header it cannot set), and only a request the
token actually authenticated is exempt from CSRF. An API write that nobody
authenticated is answered 401 with the JSON error. ``current_actor`` is the value every operation of a
request is given: who, through which door, from which address.
"""

from flask import Flask, g, request
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from registry.accounts.sessions import user_for_login_token
from registry.accounts.tokens import user_for_api_token
from registry.audit import API, WEB, Actor
from registry.core.errors import N_
from registry.models import User
from registry.web.db import READ_METHODS, get_session

login_manager = LoginManager()
csrf = CSRFProtect()


class SignedInUser:
    """A user account as Flask-Login sees it: the account plus this sign-in's token.

    Attribute reads fall through to the account, so domain code can take it as a User.
    """

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: User, token: str | None = None):
        self.account = user
        self.token = token

    def get_id(self) -> str | None:
        return self.token

    @property
    def is_active(self) -> bool:
        return self.account.active

    def __getattr__(self, name):
        return getattr(self.account, name)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def actor() -> SignedInUser | None:
    """The signed-in user of this request, or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def current_actor() -> Actor:
    """This request's Actor: the signed-in user (or nobody), the door, the client's address."""
    user = actor()
    return Actor(user.account if user is not None else None, API if request.path.startswith("/api/") else WEB,
                 request.remote_addr)


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Hãy đăng nhập để tiếp tục.")
    login_manager.session_protection = None  # the server-side sign-in row is the protection

    @login_manager.user_loader
    def _load_user(token: str):
        if bearer_token() is not None:
            return None  # a request with a bearer token is the token's, never the cookie's
        user = user_for_login_token(get_session(), token)
        return SignedInUser(user, token) if user is not None else None

    @login_manager.request_loader
    def _load_user_from_request(_request):
        secret = bearer_token()
        if secret is None:
            return None
        user = user_for_api_token(get_session(), secret)
        if user is None:
            return None
        g.token_auth = True
        return SignedInUser(user)

    @app.before_request
    def _protect_cookie_writes():
        # Only a request its bearer token authenticated is exempt (its cookie was
        # ignored); everything else that writes must carry the CSRF token.
        if request.method in READ_METHODS:
            return None
        authenticated = current_user.is_authenticated  # loads the user: token first, else cookie
        if g.get("token_auth"):
            return None
        if request.path.startswith("/api/") and not authenticated:
            from registry.web.security import carries_nul

            if not carries_nul():  # (a NUL is refused next, with its own message, whoever sends it)
                return login_manager.unauthorized()  # 401 with the API's JSON error, not "CSRF token missing"
            return None
        if app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        return None
