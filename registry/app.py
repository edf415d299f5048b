"""The application factory: settings, extensions, blueprints and error handlers."""

from flask import Flask

from registry.core.paths import resource


def create_app(test_config: dict | None = None) -> Flask:
    from registry import config

    app = Flask(
        "registry",
        instance_path=config.instance_path(),
        template_folder=str(resource("templates")),
        static_folder=str(resource("static")),
    )
    from registry.api import bp as api_bp
    from registry.web import assets, auth, db, gate, i18n, lifecycle, routing, security, templating
    from registry.web.pages import (
        account,
        admin,
        catalogue,
        indicators,
        opendata,
        public,
        rankings,
        review,
        workspace,
    )

    app.config.from_mapping(config.settings(app.instance_path, test_config))
    # JSON keeps the order the contract shows, and Vietnamese readable
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    from registry.web.shared import Doorstep

    app.wsgi_app = Doorstep(app.wsgi_app, app)  # kept public pages, before Flask (inside ProxyFix)
    if app.config["PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"])
    routing.init_app(app)
    assets.init_app(app)  # static files under URLs that carry their content's digest
    db.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    auth.init_app(app)
    gate.init_app(app)
    security.init_app(app)
    lifecycle.init_app(app)  # after security: its error responses get the same headers
    for blueprint in (public.bp, catalogue.bp, opendata.bp, indicators.bp, account.bp, workspace.bp, review.bp,
                      admin.bp, api_bp, rankings.bp):
        app.register_blueprint(blueprint)
    return app
