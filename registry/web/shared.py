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
touched the visitor's cookie or holds their CSRF token. Catalogue searches are not shared either: each
search text is a response of its own, seldom asked again before the figures
change, and keeping them would push out the pages that are.
"""

from functools import wraps

from flask import Response, current_app, g, make_response, request
from flask import session as cookie_session
from flask_babel import get_locale

from registry.core import generations
from registry.core.memo import TokenMemo
from registry.web.auth import actor
from registry.web.db import get_session
from registry.web.revalidation import not_modified, revalidated, validator

BASIS = "verified"  # the public is told only what has been verified
# What the kept responses of one worker may weigh in all: a few hundred pages.
KEPT_BYTES = 24 * 1024 * 1024
SEARCH_PARAMETER = "q"

_responses = TokenMemo(KEPT_BYTES, weight=lambda kept: len(kept[0]))


def clear() -> None:
    """Forget this worker's responses (the next request renders again): for tests and benchmarks."""
    _responses.clear()


def _may_share() -> bool:
    # a signed-in visitor's page names them; pending messages are shown once
    return (actor() is None and "_flashes" not in cookie_session
            and not request.args.get(SEARCH_PARAMETER, "").strip())


def _holds_csrf_token() -> bool:
    # Flask-WTF keeps the token it put in this response in g; a visitor who already
    # had one in the cookie leaves the cookie unchanged, and the token is theirs alone.
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g


def per_generation(view):
    """Serve ``view``'s response from this worker's copy while the verified figures hold."""

    @wraps(view)
    def shared_view(*args, **kwargs):
        session = generations.only_reads(get_session())
        found = generations.tokens(session, BASIS) if _may_share() else None
        if found is None:
            return view(*args, **kwargs)
        token = generations.fingerprint(found)
        # everything the rendering reads from the request: the links start with the
        # script root (SCRIPT_NAME), the names follow the language; no link is absolute
        key = (str(session.get_bind().url), request.script_root, request.path, request.query_string,
               str(get_locale()))
        etag = validator(token, *key[1:])
        unchanged = not_modified(etag)
        if unchanged is not None:
            return unchanged
        kept = _responses.get(key, token)
        if kept is None:
            cookie_before = dict(cookie_session)
            response = make_response(view(*args, **kwargs))
            if (response.status_code != 200 or response.is_streamed or dict(cookie_session) != cookie_before
                    or _holds_csrf_token()):
                return response
            kept = (response.get_data(), response.content_type)
            _responses.put(key, token, kept)
        body, content_type = kept
        response = revalidated(Response(body, content_type=content_type), etag)
        # a proxy must keep one copy per language: the API's follows Accept-Language, a page's the cookie
        response.vary.add("Accept-Language" if request.path.startswith("/api/") else "Cookie")
        return response

    return shared_view
