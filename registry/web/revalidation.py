"""Validators for public responses: a weak ETag of what a response depends on, and
the 304 that answers a request already holding it."""

import hashlib
from functools import cache

from flask import Response, request
from flask import session as cookie_session

from registry.core.paths import PACKAGE, resource

# Browsers and proxies may keep a public page but must ask whether it changed
# (a 304 costs one query), so that nobody is shown figures older than the registry's.
REVALIDATE = "no-cache"


@cache
def release() -> str:
    """A fingerprint of the code, templates and translations that render pages: a
    validator must change when a new release renders the same figures differently."""
    digest = hashlib.sha256()
    for folder, pattern in ((PACKAGE, "**/*.py"), (resource("templates"), "**/*.html"),
                            (resource("translations"), "**/*.mo")):
        for path in sorted(folder.glob(pattern)):
            digest.update(str(path.relative_to(folder.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def validator(*parts) -> str:
    """A weak ETag of the given parts and the release."""
    return hashlib.sha256("\x1f".join(map(str, (*parts, release()))).encode()).hexdigest()[:32]


def not_modified(etag: str) -> Response | None:
    """A 304 when the request already holds the representation ``etag`` names."""
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
        response.set_etag(etag, weak=True)
        response.headers["Cache-Control"] = REVALIDATE
        return response
    return None


def revalidated(response: Response, etag: str) -> Response:
    response.set_etag(etag, weak=True)
    # a response that sets the language cookie is this visitor's alone
    response.headers["Cache-Control"] = ("private, " if cookie_session.modified else "public, ") + REVALIDATE
    return response
