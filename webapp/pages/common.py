"""What every page shares: the login gate, the home redirect and the template context."""

from __future__ import annotations

from typing import Any

from flask import current_app, make_response, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import DomainError
from webapp.infra.site_access import get_registry
from webapp.pages import bp
from webapp.pages.errors import domain_error_page
from webapp.pages.filters import register_filters
from webapp.pages.htmx import is_htmx
from webapp.pages.item_state import check_state

HTMX_VERSION = "2.0.11"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_CDN = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"

bp.register_error_handler(DomainError, domain_error_page)


# Pages anyone may open: a shared read-only list (its token is the key).
PUBLIC_ENDPOINTS = frozenset({"pages.shared_list"})


@bp.before_request
def require_login() -> Response | None:
    """Every page needs a logged-in user; htmx requests are sent to the login page whole."""
    if current_user.is_authenticated or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    login = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        current = request.headers.get("HX-Current-URL", "")
        resp = make_response("", 401)
        resp.headers["HX-Redirect"] = url_for("auth.login") if not current else login
        return resp
    return redirect(login)


@bp.get("/")
def index() -> Response:
    """The home page is the watchlist."""
    return redirect(url_for("pages.watchlist"))


def htmx_script() -> dict[str, str]:
    """Where base.html loads htmx from: jsDelivr, or the local copy when HTMX_SRC=local."""
    if current_app.config.get("HTMX_SRC") == "local":
        src = url_for("static", filename=f"vendor/htmx-{HTMX_VERSION}.min.js")
    else:
        src = HTMX_CDN
    return {"src": src, "integrity": HTMX_SRI}


NAV_LINKS = (
    ("pages.watchlist", "Watchlist"), ("pages.add", "Add anime"),
    ("pages.downloads", "Downloads"), ("pages.calendar", "Calendar"),
    ("pages.activity", "Activity"), ("pages.stats", "Stats"), ("pages.imports_page", "Imports"),
    ("pages.settings", "Settings"),
)


def nav_links() -> list[tuple[str, str]]:
    """The header's links: the pages that exist, plus Admin for administrators."""
    views = current_app.view_functions
    links = [(endpoint, label) for endpoint, label in NAV_LINKS if endpoint in views]
    if current_user.is_authenticated and current_user.is_admin and "pages.admin_users" in views:
        links.append(("pages.admin_users", "Admin"))
    return links


@bp.app_context_processor
def page_context() -> dict[str, Any]:
    """Values base.html needs on every page."""
    return {"htmx": htmx_script(), "nav_links": nav_links(),
            "has_endpoint": lambda name: name in current_app.view_functions}


def provider_name(provider_id: str) -> str:
    """A provider's name as people know it ("Anime-Sama"), its id when it is unknown."""
    provider = get_registry().get(provider_id)
    return provider.name if provider else provider_id


@bp.record_once
def _setup(state: Any) -> None:
    register_filters(state.app)
    state.app.add_template_filter(check_state, "check_state")
    state.app.add_template_filter(provider_name, "provider_name")
