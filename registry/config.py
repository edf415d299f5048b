"""Settings from the environment, with the defaults a new user needs nothing for.

No Flask here: the ``registry`` command reads the same settings without building
the web application, and ``create_app`` puts them into ``app.config``.
"""

import os
import secrets
from pathlib import Path

from registry.core.paths import default_instance_path

SECRET_KEY_FILE = "secret_key"


def instance_path() -> str:
    return os.environ.get("REGISTRY_INSTANCE_PATH", str(default_instance_path()))


def database_url(instance: str | None = None) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{Path(instance or instance_path()) / 'registry.db'}"


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance: str) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/.

    Created with O_EXCL so that several workers starting together agree on one key.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance) / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        key = secrets.token_hex(32)
        f.write(key)
    return key


# The organisation the registry serves, in one place (issue 17): the province, and the
# department that verifies the reports. The Department of Information and Communications
# (Sở Thông tin và Truyền thông) merged into the Department of Science and Technology on
# 1 March 2025; a province still using another name sets these three variables.
DEFAULT_PROVINCE = "Điện Biên"
DEFAULT_DEPARTMENT = "Sở Khoa học và Công nghệ"
DEFAULT_DEPARTMENT_EN = "Department of Science and Technology"


def organisation_names() -> dict[str, str]:
    """The province's name (a proper name, the same in both languages) and the verifying
    department's name in Vietnamese and English, from the environment."""
    def named(variable: str, default: str) -> str:
        return " ".join(os.environ.get(variable, "").split())[:200] or default

    return {
        "REGISTRY_PROVINCE": named("REGISTRY_PROVINCE", DEFAULT_PROVINCE),
        "REGISTRY_DEPARTMENT": named("REGISTRY_DEPARTMENT", DEFAULT_DEPARTMENT),
        "REGISTRY_DEPARTMENT_EN": named("REGISTRY_DEPARTMENT_EN", DEFAULT_DEPARTMENT_EN),
    }


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def settings(instance: str, overrides: dict | None = None) -> dict:
    """Every setting of the application, from the environment and ``overrides``."""
    os.makedirs(instance, exist_ok=True)
    values = {
        "DATABASE_URL": database_url(instance),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto, and
    # whether the site is served over HTTPS (then cookies are sent over HTTPS only).
    proxies = os.environ.get("REGISTRY_PROXIES", "0")
    values["PROXIES"] = int(proxies) if proxies.isdigit() else 0
    values.update(organisation_names())
    if _flag("REGISTRY_HTTPS"):
        values["SESSION_COOKIE_SECURE"] = True
        values["PREFERRED_URL_SCHEME"] = "https"
    # e-mail (SPEC §3d, registry/mail/): the SMTP server, the sender, and the registry's own
    # address for the links in messages
    for name in ("SMTP_URL", "MAIL_FROM", "REGISTRY_URL", "MAIL_MAX_ATTEMPTS"):
        if os.environ.get(name):
            values[name] = os.environ[name]
    values.update(overrides or {})
    if not values.get("SECRET_KEY"):
        values["SECRET_KEY"] = secret_key(instance)
    values["DATABASE_URL"] = normalise_database_url(values["DATABASE_URL"])
    return values
