"""Static files under fingerprinted URLs, so that browsers and nginx may keep them for a year.

``url_for('static', filename='css/site.css')`` gives ``/static/<digest>/css/site.css``, where
``<digest>`` is the first 12 hexadecimal digits of the SHA-256 of the file's content: a release
that changes a file changes its URL, so a URL, once served, never names other content and may
be cached as immutable. nginx serves both forms from the static folder without asking the
registry (docs/deploy/nginx/registry.conf); the registry serves them too, for a server run
without nginx (``make run``, the tests): a digested URL with a year's lifetime, the plain
``/static/<file>`` with a short one. A digest that is not the file's current one (a page
rendered by another release, during an upgrade) is served the current file with the short
lifetime, never as immutable.

Each file's digest is computed once per process, when a URL for it is first built or
requested; the static files do not change while the process runs.
"""

import hashlib
import os
import re
import threading

from flask import Flask, send_from_directory
from werkzeug.security import safe_join

DIGEST_LENGTH = 12
DIGESTED = re.compile(rf"([0-9a-f]{{{DIGEST_LENGTH}}})/(.+)")
IMMUTABLE_MAX_AGE = 365 * 24 * 3600  # a year: the URL changes with the content
PLAIN_MAX_AGE = 300  # /static/<file> without a digest: a release shows within five minutes


class Digests:
    """The content digest of each file of a folder, computed once and kept."""

    def __init__(self, folder: str):
        self.folder = folder
        self._known: dict[str, str] = {}
        self._lock = threading.Lock()

    def of(self, filename: str) -> str | None:
        """The digest of ``filename`` (relative to the folder), or None when there is no such file."""
        known = self._known.get(filename)
        if known is not None:
            return known
        path = safe_join(self.folder, filename)
        if path is None or not os.path.isfile(path):
            return None
        with self._lock:
            if filename not in self._known:
                self._known[filename] = file_digest(path)
            return self._known[filename]


def file_digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:DIGEST_LENGTH]


def init_app(app: Flask) -> None:
    """Build digested URLs for the ``static`` endpoint and serve them (its one rule stays)."""
    digests = Digests(app.static_folder)

    @app.url_defaults
    def _fingerprint(endpoint, values):
        if endpoint == "static" and "filename" in values:
            digest = digests.of(values["filename"])
            if digest is not None:
                values["filename"] = f"{digest}/{values['filename']}"

    def static(filename: str):
        match = DIGESTED.fullmatch(filename)
        if match is not None:
            digest, name = match.groups()
            current = digests.of(name)
            if current is not None:
                filename = name
                if digest == current:
                    response = send_from_directory(app.static_folder, name, max_age=IMMUTABLE_MAX_AGE)
                    response.cache_control.public = True
                    response.cache_control.immutable = True
                    return response
        return send_from_directory(app.static_folder, filename, max_age=PLAIN_MAX_AGE)

    app.view_functions["static"] = static
