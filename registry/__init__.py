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
    from . import auth, cli, config, db, i18n, routing, security
    from .api import bp as api_bp
    from .views import admin, catalogue, errors, guard, opendata, public, review, workspace
    from .views import auth as auth_views

    config.load(app, test_config)
    if app.config["PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"])
    routing.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    guard.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    for blueprint in (public.bp, catalogue.bp, opendata.bp, auth_views.bp, workspace.bp, review.bp, admin.bp,
                      api_bp):
        app.register_blueprint(blueprint)
    return app
