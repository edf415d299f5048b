"""Public responses rendered once per generation of the verified figures.

What the public reads (the home page, the catalogue, an agency's page, the
drill-downs and the API's lists) changes only when the verified figures of a
period, the targets, agencies or services change, and every such change
replaces a token of the verified basis (target_cache.py). So a response to a
visitor who is not signed in is kept by each worker under the fingerprint of
those tokens, per path, query and language: while they hold, a request costs
one query, the tokens; a browser or proxy that already has the response gets a
304 from the same query (its weak ETag names the fingerprint).

Never shared: a signed-in visitor's response (it names them; security.py sends
it ``no-store``), one with messages still to show, anything but a 200 (a page
that explains bad parameters, a refusal), and a response whose rendering
touched the visitor's cookie or holds their CSRF token.

Searches are shared too, in a budget of their own: the same few searches
("đăng ký khai sinh") are asked again and again, while most search texts are
asked once, and these must not push out the pages that every visitor reads.

At the door (``Doorstep``, a WSGI layer in front of Flask): a visitor with no
cookie and no credentials (a first visit, a crawler, a caching proxy) who asks
GET for a kept page gets the bytes Flask last sent for exactly that request —
scheme, script root, path, query and Accept-Language — under the same tokens:
status, headers (security headers, ETag, Vary, Cache-Control) and body. That
costs the tokens' query and none of Flask's request machinery. Only a 200 that
``per_generation`` marked as its kept copy and that set no cookie is replayed,
in the same budgets (pages, searches); a cookie, an Authorization header, a
conditional or ranged request, another method or a missing copy goes to Flask,
which answers as before.
"""

from functools import wraps

from flask import Response, current_app, g, make_response, request
from flask import session as cookie_session
from flask_babel import get_locale

from registry.core import generations
from registry.core.memo import TokenMemo
from registry.web.auth import actor
from registry.web.db import get_engine, get_session
from registry.web.revalidation import not_modified, revalidated, validator

BASIS = "verified"  # the public is told only what has been verified
# What the kept responses of one worker may weigh in all: a few hundred pages.
KEPT_BYTES = 24 * 1024 * 1024
# What the kept responses to searches may weigh: a few hundred searches, apart from the pages.
KEPT_SEARCH_BYTES = 8 * 1024 * 1024
SEARCH_PARAMETER = "q"

# The environ key by which per_generation tells the door that this response is its kept page,
# and the one by which the door hands on the tokens it read (one peek per request).
KEPT_MARK = "registry.kept_under"
PEEKED = "registry.peeked_tokens"
# Request headers that make a response this visitor's, or ask for something else than the whole page.
NOT_AT_THE_DOOR = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                   "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE", "HTTP_IF_RANGE")

_responses = TokenMemo(KEPT_BYTES, weight=lambda kept: len(kept[0]))
_searches = TokenMemo(KEPT_SEARCH_BYTES, weight=lambda kept: len(kept[0]))
# (status, headers, body) as Flask sent them, in the same budgets as Flask's copies; a body is
# the very bytes object that _responses or _searches holds
_pages_at_the_door = TokenMemo(KEPT_BYTES, weight=lambda kept: len(kept[2]))
_searches_at_the_door = TokenMemo(KEPT_SEARCH_BYTES, weight=lambda kept: len(kept[2]))


def clear() -> None:
    """Forget this worker's responses (the next request renders again): for tests and benchmarks."""
    _responses.clear()
    _searches.clear()
    _pages_at_the_door.clear()
    _searches_at_the_door.clear()


def _may_share() -> bool:
    # a signed-in visitor's page names them; pending messages are shown once
    return actor() is None and "_flashes" not in cookie_session


def _kept() -> TokenMemo:
    return _searches if request.args.get(SEARCH_PARAMETER, "").strip() else _responses


def _holds_csrf_token() -> bool:
    # Flask-WTF keeps the token it put in this response in g; a visitor who already
    # had one in the cookie leaves the cookie unchanged, and the token is theirs alone.
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g


def _revalidated(kept, token: str, place: tuple, memo: TokenMemo) -> Response:
    request.environ[KEPT_MARK] = (token, memo is _searches)  # the door may answer the next such request
    body, content_type = kept
    response = revalidated(Response(body, content_type=content_type), validator(token, *place[1:]))
    # a proxy must keep one copy per language: the API's follows Accept-Language, a page's the cookie
    response.vary.add("Accept-Language" if request.path.startswith("/api/") else "Cookie")
    return response


def _answer(memo: TokenMemo, place: tuple, token: str) -> Response | None:
    """A 304 for a client holding the response under ``token``, or this worker's copy, or None."""
    unchanged = not_modified(validator(token, *place[1:]))
    if unchanged is not None:
        return unchanged
    kept = memo.get(place, token)
    return None if kept is None else _revalidated(kept, token, place, memo)


def per_generation(view):
    """Serve ``view``'s response from this worker's copy while the verified figures hold."""

    @wraps(view)
    def shared_view(*args, **kwargs):
        if not _may_share():
            return view(*args, **kwargs)
        engine = get_engine()
        # everything the rendering reads from the request: the links start with the
        # script root (SCRIPT_NAME), the names follow the language; no link is absolute
        place = (str(engine.url), request.script_root, request.path, request.query_string, str(get_locale()))
        memo = _kept()
        # First the tokens alone, outside the request's session: most requests are then answered
        # from this worker's copy, or with a 304, without the cost of a session's transaction.
        found = request.environ.pop(PEEKED, None) or generations.peek(engine, BASIS)
        if found is not None:
            answered = _answer(memo, place, generations.fingerprint(found))
            if answered is not None:
                return answered
        # Rendered afresh: stamped with the tokens of the session that reads the figures.
        session = generations.only_reads(get_session())
        found = generations.tokens(session, BASIS)
        if found is None:
            return view(*args, **kwargs)
        token = generations.fingerprint(found)
        answered = _answer(memo, place, token)
        if answered is not None:
            return answered
        cookie_before = dict(cookie_session)
        response = make_response(view(*args, **kwargs))
        if (response.status_code != 200 or response.is_streamed or dict(cookie_session) != cookie_before
                or _holds_csrf_token()):
            return response
        kept = (response.get_data(), response.content_type)
        memo.put(place, token, kept)
        return _revalidated(kept, token, place, memo)

    return shared_view


class Doorstep:
    """WSGI: answer a visitor with no cookie from the page Flask kept for the same request
    (see the module's docstring); everything else goes to ``wsgi_app``."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app
        self.database = None  # the engine's URL as text, once the engine exists (db.init_app)

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None or not (_pages_at_the_door.holds(key) or _searches_at_the_door.holds(key)):
            return self._through_flask(key, environ, start_response)  # nothing to replay: no query
        engine = self.app.extensions["registry.engine"]
        try:
            found = generations.peek(engine, BASIS)
        except engine.dialect.dbapi.Error:
            found = None  # Flask answers, and says what is wrong
        if found is not None:
            token = generations.fingerprint(found)
            kept = _pages_at_the_door.get(key, token) or _searches_at_the_door.get(key, token)
            if kept is not None:
                status, headers, body = kept
                start_response(status, list(headers))
                return [body]
            environ[PEEKED] = found
        return self._through_flask(key, environ, start_response)

    def _key(self, environ) -> tuple | None:
        if environ.get("REQUEST_METHOD") != "GET" or any(environ.get(name) for name in NOT_AT_THE_DOOR):
            return None
        if self.database is None:
            self.database = str(self.app.extensions["registry.engine"].url)
        return (self.database, environ.get("wsgi.url_scheme"),
                environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                environ.get("HTTP_ACCEPT_LANGUAGE", ""))

    def _through_flask(self, key: tuple | None, environ, start_response):
        if key is None:
            return self.wsgi_app(environ, start_response)
        sent = {}

        def remember(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        answer = self.wsgi_app(environ, remember)
        mark = environ.get(KEPT_MARK)
        if (mark is None or not sent.get("status", "").startswith("200 ")
                or any(name.lower() == "set-cookie" for name, _value in sent["headers"])):
            return answer
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        token, search = mark
        (_searches_at_the_door if search else _pages_at_the_door).put(
            key, token, (sent["status"], tuple(sent["headers"]), body))
        return [body]
