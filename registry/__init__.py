"""The service-level registry.

The web application is built by ``create_app`` (registry/app.py); nothing is
built at import time, so that the ``registry`` command and the domain packages
can be used without Flask being imported.
"""


def create_app(test_config: dict | None = None):
    """The Flask application (see registry.app.create_app)."""
    from registry.app import create_app as build

    return build(test_config)
