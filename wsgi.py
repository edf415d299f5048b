"""The web application for gunicorn run from a checkout (``gunicorn wsgi:app``);
an installed registry uses ``gunicorn registry.wsgi:app``."""

from registry.wsgi import app  # noqa: F401
