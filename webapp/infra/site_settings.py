"""Install-wide settings kept in the `site_settings` table (open sign-up, provider mirrors)."""

from __future__ import annotations

import json

from flask import current_app

from webapp.extensions import db
from webapp.infra.site_access import reset_registry
from webapp.models import SiteSetting
from webapp.sites.providers.registry import MIRRORS_SETTING, parse_mirrors

OPEN_SIGNUP = "open_signup"
# Providers whose recently-added page the admin turned off (fast detection), JSON list.
SITE_FEEDS_OFF = "site_feeds_off"


def get_setting(key: str, default: str | None = None) -> str | None:
    """The stored text of one setting, or `default` when it was never set."""
    row = db.session.get(SiteSetting, key)
    return default if row is None else row.value


def set_setting(key: str, value: str) -> None:
    """Store one setting (insert or replace) and commit."""
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value
    db.session.commit()


def open_signup_enabled() -> bool:
    """Whether anyone may create an account: the admin's toggle, else config OPEN_SIGNUP."""
    stored = get_setting(OPEN_SIGNUP)
    if stored is None:
        return bool(current_app.config.get("OPEN_SIGNUP"))
    return stored == "true"


def get_mirrors() -> dict[str, list[str]]:
    """Extra domains per provider id that an admin configured (empty when unset or bad)."""
    return parse_mirrors(get_setting(MIRRORS_SETTING))


def set_mirrors(mirrors: dict[str, list[str]]) -> None:
    """Replace the stored mirrors mapping; the provider registry picks it up at once."""
    kept = {name: urls for name, urls in mirrors.items() if urls}
    set_setting(MIRRORS_SETTING, json.dumps(kept, sort_keys=True))
    reset_registry()


def site_feeds_off() -> set[str]:
    """The providers whose recently-added page an admin switched off."""
    try:
        value = json.loads(get_setting(SITE_FEEDS_OFF) or "[]")
    except ValueError:
        return set()
    return {str(v) for v in value} if isinstance(value, list) else set()


def set_site_feed_enabled(provider_id: str, enabled: bool) -> None:
    """Turn one provider's fast detection on or off for the whole install."""
    off = site_feeds_off()
    off = off - {provider_id} if enabled else off | {provider_id}
    set_setting(SITE_FEEDS_OFF, json.dumps(sorted(off)))
