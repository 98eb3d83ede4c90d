"""Static files served as a production site serves them.

`make install` writes, beside each file in static/, a copy under a content-hashed name
(Flask-Static-Digest, listed in static/cache_manifest.json) and gzip and brotli versions
(whitenoise.compress). Templates link to files with `static_url_for`, which gives the hashed name;
WhiteNoise serves them before the request reaches Flask, so no session is read or cookie set, in the
best encoding the browser accepts, cached for a year as immutable (a changed file gets a new name).
A file asked for by its plain name (an icon a stylesheet points at) is served too, revalidated on
each use. Without a manifest (static files not yet built) pages link to the plain names.
"""

from __future__ import annotations

import re

from flask import Flask
from whitenoise import WhiteNoise

from competency_portal import security
from competency_portal.extensions import static_digest

HASHED_NAME = re.compile(r"-[0-9a-f]{32}\.[A-Za-z0-9]+$")


def is_hashed(url: str) -> bool:
    """Whether a static URL names a content-hashed copy, which never changes."""
    return bool(HASHED_NAME.search(url))


def init_app(app: Flask) -> None:
    """Link templates to hashed names and serve static/ through WhiteNoise."""
    static_digest.init_app(app)
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=app.static_folder,
        prefix=app.static_url_path,
        max_age=0,  # plain names: the browser asks again each time (a 304 when unchanged)
        immutable_file_test=lambda _path, url: is_hashed(url),
        allow_all_origins=False,
        add_headers_function=security.static_headers(app.config.get("PORTAL_ENV") == "production"),
    )
