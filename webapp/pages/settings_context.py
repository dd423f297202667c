"""What the settings page shows: the context of each of its sections, and of the whole page.

The page's sections are saved by two modules (settings.py: tokens and password;
preferences.py: watchlist settings, the automation switch, notification targets); both
render the whole page or one section from here.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask_login import current_user

from webapp.auth.forms import ChangePasswordForm, TokenForm
from webapp.auth.tokens import list_tokens
from webapp.watchlist.automation import AutomationSwitch
from webapp.watchlist.manager import WatchlistManager

INTERVAL_PRESETS = (1, 2, 3, 4, 6, 8, 12, 24, 48, 72, 96, 120, 144, 168)
# What each feed is, by its file name; a feed route not named here shows by its path.
FEED_LABELS = {
    "calendar.ics": "Calendar (iCal): released and expected episodes",
    "downloads.xml": "Downloaded episodes (Atom, the files attached, for podcast apps)",
    "new-episodes.xml": "New episodes found (Atom)",
}


def tokens_context(**overrides: Any) -> dict[str, Any]:
    """What the tokens and password sections show."""
    context: dict[str, Any] = {
        "token_form": TokenForm(formdata=None),
        "password_form": ChangePasswordForm(formdata=None),
        "tokens": list_tokens(current_user.id),
        "new_token": None,
    }
    context.update(overrides)
    return context


def feed_links(token: str | None) -> list[tuple[str, str]]:
    """(label, absolute URL) of every feed the app serves, with `token` when given."""
    rules = sorted({rule.endpoint: rule for rule in current_app.url_map.iter_rules()
                    if rule.endpoint.startswith("feeds.") and not rule.arguments}.values(),
                   key=lambda rule: rule.rule)
    return [(FEED_LABELS.get(rule.rule.rsplit("/", 1)[-1], rule.rule),
             url_for(rule.endpoint, _external=True, **({"token": token} if token else {})))
            for rule in rules]


def feeds_context(**overrides: Any) -> dict[str, Any]:
    """What the feeds section shows: the feed URLs, with a feeds token just created."""
    token = overrides.pop("feed_token", None)
    return {"feed_token": token, "feed_links": feed_links(token), **overrides}


def preferences_context(**overrides: Any) -> dict[str, Any]:
    """What the settings page's watchlist, scheduler and notification sections show."""
    settings = WatchlistManager(current_user.id).get_settings()
    context: dict[str, Any] = {
        "prefs": settings, "prefs_errors": {}, "prefs_saved": False,
        "interval_presets": sorted({*INTERVAL_PRESETS, settings.check_interval_hours}),
        "scheduler": AutomationSwitch(current_user.id).status(),
        "targets_text": "\n".join(settings.notification_urls or []),
        "targets_error": None, "targets_saved": False,
    }
    context.update(overrides)
    return context


def settings_page_context(**overrides: Any) -> dict[str, Any]:
    """The whole settings page's context (sections of this module and of settings.py)."""
    return {**tokens_context(), **feeds_context(), **preferences_context(**overrides)}
