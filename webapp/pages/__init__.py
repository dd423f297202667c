"""HTMX pages: watchlist, add, detail, downloads, settings, notifications, admin."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from webapp.pages import views  # noqa: E402,F401
