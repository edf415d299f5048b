"""Languages: Vietnamese by default, English second (Flask-Babel).

Message ids are the Vietnamese text, so a page is complete in Vietnamese even
without a compiled catalogue; translations/en holds the English.
"""

from urllib.parse import urlencode

from flask import Flask, g, request, session
from flask_babel import Babel, get_locale

from registry.core.paths import resource
from registry.core.validation import THOUSANDS, use_thousands_separator


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        return chosen
    if request.path.startswith("/api/"):
        # API clients say what they read in the standard header, not in a cookie
        return request.accept_languages.best_match(languages, default=current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale,
          default_translation_directories=str(resource("translations")))

    def language_url(code: str) -> str:
        """This page in another language, with its filters kept.

        The path is built from the route's own values only; the query is copied as
        text. Handing the query to ``url_for`` would let a visitor choose its
        keyword arguments (``_external``, ``_scheme``, ``_method``, a path value):
        links to another host in a page kept for everyone, or a 500.
        """
        from flask import url_for

        if request.endpoint is None or request.method != "GET":
            return url_for("public.index", lang=code)
        path = url_for(request.endpoint, **(request.view_args or {}))
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        return f"{path}?{urlencode([*args, ('lang', code)])}"

    app.jinja_env.globals["language_url"] = language_url

    @app.before_request
    def _remember_language():
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"] and session.get("lang") != chosen:
            session["lang"] = chosen
        # "3.813" typed in Vietnamese, "3,813" in English: read as the reader writes
        g.thousands = use_thousands_separator(str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]))

    @app.teardown_request
    def _forget_separator(_exc=None):
        token = g.pop("thousands", None)
        if token is not None:
            try:
                THOUSANDS.reset(token)
            except ValueError:  # set in another context: nothing of ours to undo
                pass
