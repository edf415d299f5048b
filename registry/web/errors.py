"""Error pages in the user's language; no input reaches the user as a bare 500."""

from flask import Flask, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from registry.core.errors import DomainError, translate


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            from registry.api import error_response

            return error_response(exc.code, exc.name.lower().replace(" ", "_"), exc.name)
        return render_template("errors/error.html", status=exc.code, name=exc.name), exc.code

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        # a refusal before routing (a NUL in the request) of a path under /api/ that no route
        # matches: the API blueprint's own handler did not see it
        if request.path.startswith("/api/"):
            from registry.api import domain_error_response

            return domain_error_response(exc)
        return render_template("errors/error.html", status=exc.status,
                               message=translate(exc.message, gettext)), exc.status
