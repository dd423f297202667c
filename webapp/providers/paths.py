"""URL path patterns of the site providers (shared by normalising and parsing)."""

from __future__ import annotations

import re

SEASON_PATH_RE = re.compile(
    r"^/catalogue/(?P<slug>[a-z0-9][a-z0-9._-]*)/(?P<season>[a-z0-9_-]+)/(?P<lang>[a-z0-9]+)/?"
    r"(?:episodes\.js)?$", re.I)
NEKO_INFO_PATH_RE = re.compile(
    r"^/anime/info/(?P<id>\d+)-(?P<slug>[a-z0-9-]+)_(?P<lang>vostfr|vf)/?$", re.I)
ULTIME_SERIES_PATH_RE = re.compile(r"^/file-0-1/(?P<id>\d+)(?:/(?P<slug>[^/?#]*))?/?$", re.I)
