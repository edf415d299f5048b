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

_responses = TokenMemo(KEPT_BYTES, weight=lambda kept: len(kept[0]))
_searches = TokenMemo(KEPT_SEARCH_BYTES, weight=lambda kept: len(kept[0]))


def clear() -> None:
    """Forget this worker's responses (the next request renders again): for tests and benchmarks."""
    _responses.clear()
    _searches.clear()


def _may_share() -> bool:
    # a signed-in visitor's page names them; pending messages are shown once
    return actor() is None and "_flashes" not in cookie_session


def _kept() -> TokenMemo:
    return _searches if request.args.get(SEARCH_PARAMETER, "").strip() else _responses


def _holds_csrf_token() -> bool:
    # Flask-WTF keeps the token it put in this response in g; a visitor who already
    # had one in the cookie leaves the cookie unchanged, and the token is theirs alone.
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g


def _revalidated(kept, token: str, place: tuple) -> Response:
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
    return None if kept is None else _revalidated(kept, token, place)


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
        found = generations.peek(engine, BASIS)
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
        return _revalidated(kept, token, place)

    return shared_view
