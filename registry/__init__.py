"""The service-level registry: a Flask application built by ``create_app``."""

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("REGISTRY_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from . import cli, config, db, i18n
    from .api import bp as api_bp
    from .views import errors, public

    config.load(app, test_config)
    db.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(api_bp)
    return app
