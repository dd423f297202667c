"""HTMX pages: watchlist, add, detail, downloads, activity, settings, notifications, admin."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from webapp.pages import (  # noqa: E402,F401  (register the views)
    activity,
    add,
    admin,
    calendar,
    common,
    detail,
    downloads,
    imports,
    item_sources,
    lists,
    live_poll,
    notifications,
    posters,
    preferences,
    settings,
    stats,
    watchlist,
    watchlist_actions,
)
from webapp.pages.errors import register_error_pages  # noqa: E402

__all__ = ["bp", "register_error_pages"]
