"""The app side of sites/: the HTTP clients and the provider registry of the current app.

sites/ knows no Flask and no database; this factory hands it what it needs: the base
URLs and settings from the app's config, the mirrors an admin added (site setting
`mirrors`, re-read at most every MIRRORS_RECHECK_SECONDS), and the shared Redis for the
per-host rate limit.
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db, get_redis
from webapp.models import SiteSetting
from webapp.sites.http.client import HttpClient
from webapp.sites.providers.registry import MIRRORS_SETTING, Registry, build_registry, parse_mirrors
from webapp.sites.providers.search import search_client

log = logging.getLogger(__name__)

MIRRORS_RECHECK_SECONDS = 30.0


def get_http_client() -> HttpClient:
    """The current app's HttpClient (built once per app from its config and Redis)."""

    client = current_app.extensions.get("http_client")
    if client is None:
        client = HttpClient.from_config(current_app.config, get_redis())
        current_app.extensions["http_client"] = client
    return client


def get_search_client() -> HttpClient:
    """The current app's HttpClient for interactive search (no retries, short timeouts)."""
    client = current_app.extensions.get("search_http_client")
    if client is None:
        client = search_client(current_app.config, get_redis())
        current_app.extensions["search_http_client"] = client
    return client


def _read_mirrors_setting() -> str | None:
    try:
        row = db.session.get(SiteSetting, MIRRORS_SETTING)
    except SQLAlchemyError as exc:
        log.warning("could not read the mirrors setting (%s); using none", exc)
        db.session.rollback()
        return None
    return row.value if row is not None else None


def get_registry() -> Registry:
    """The current app's registry, rebuilt only when the admin's mirrors setting changed."""
    state = current_app.extensions.setdefault("provider_registry", {})
    now = time.monotonic()
    if state.get("registry") is not None and now - state["read_at"] < MIRRORS_RECHECK_SECONDS:
        return state["registry"]
    raw = _read_mirrors_setting()
    if state.get("registry") is None or raw != state.get("raw"):
        state["registry"] = build_registry(current_app.config, parse_mirrors(raw))
        state["raw"] = raw
    state["read_at"] = now
    return state["registry"]


def reset_registry() -> None:
    """Forget the cached registry (call after changing the mirrors setting)."""
    current_app.extensions.pop("provider_registry", None)
