"""Admin: fast detection per site — whether a provider's recently-added page is read."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from werkzeug.wrappers import Response

from webapp.infra.site_access import get_registry
from webapp.infra.site_settings import set_site_feed_enabled, site_feeds_off
from webapp.pages import bp
from webapp.pages.admin import admin_required
from webapp.pages.htmx import back_to


def site_feeds_context(**extra: Any) -> dict[str, Any]:
    """The providers that have a recently-added page, each with its on/off state."""
    off = site_feeds_off()
    feeds = [(p.id, p.name, p.id not in off) for p in get_registry().providers
             if p.has_site_feed]
    return {"site_feeds": feeds, **extra}


@bp.post("/admin/site-feeds")
@admin_required
def admin_save_site_feeds() -> Response:
    """Turn each site's recently-added page on or off for the whole install."""
    for provider_id, _name, _on in site_feeds_context()["site_feeds"]:
        set_site_feed_enabled(provider_id, request.form.get(provider_id) == "on")
    return back_to(url_for("pages.admin_mirrors"), "admin/_site_feeds.html",
                   **site_feeds_context(feeds_saved=True))
