"""Watchlist page: filters, search as you type and server-side pagination."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.infra.site_access import get_registry
from webapp.models import STATUSES
from webapp.pages import bp
from webapp.pages.htmx import is_htmx, page_or_fragment
from webapp.pages.live import checking_sources, redis_available
from webapp.watchlist.listing import SORTS
from webapp.watchlist.manager import WatchlistManager

PER_PAGE = 25
MAX_QUERY = 200
SORT_LABELS = {"added": "Recently added", "title": "Title (A–Z)",
               "next_check": "Next check", "last_new_episode": "Last new episode"}


@dataclass(frozen=True)
class Filters:
    """The list's filters and page, read from the query string or a posted form."""

    status: str | None = None
    provider: str | None = None
    q: str | None = None
    page: int = 1
    sort: str | None = None      # one of listing.SORTS; None: recently added first

    @classmethod
    def from_values(cls, values: Any) -> Filters:
        """Read and sanitise `status`, `provider`, `q`, `page` and `sort` (bad values are
        dropped)."""
        status = values.get("status") or None
        provider = values.get("provider") or None
        q = (values.get("q") or "").strip()[:MAX_QUERY] or None
        try:
            page = max(1, int(values.get("page") or 1))
        except ValueError:
            page = 1
        sort = values.get("sort")
        return cls(status if status in STATUSES else None,
                   provider if provider in get_registry().ids() else None, q, page,
                   sort if sort in SORTS and sort != "added" else None)

    def args(self, **changes: Any) -> dict[str, Any]:
        """The non-empty filters as query arguments, with `changes` applied."""
        values = {"status": self.status, "provider": self.provider, "q": self.q,
                  "sort": self.sort, "page": self.page if self.page > 1 else None, **changes}
        return {k: v for k, v in values.items() if v not in (None, "", 1)}

    def url(self, **changes: Any) -> str:
        """The watchlist URL showing these filters."""
        query = urlencode(self.args(**changes))
        return url_for("pages.watchlist") + (f"?{query}" if query else "")


def listing(filters: Filters) -> dict[str, Any]:
    """One page of the user's filtered items, with the counts the pager needs."""
    manager = WatchlistManager(current_user.id)
    kwargs = {"status": filters.status, "provider_id": filters.provider, "q": filters.q}
    total = manager.count_items(**kwargs)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(filters.page, pages)
    items = manager.list_items(**kwargs, limit=PER_PAGE, offset=(page - 1) * PER_PAGE,
                               sort=filters.sort)
    return {"items": items, "total": total, "pages": pages, "page": page,
            "filters": Filters(filters.status, filters.provider, filters.q, page,
                               filters.sort),
            "checking": checking_sources([i.source_id for i in items])}


def _page_context(filters: Filters) -> dict[str, Any]:
    registry = get_registry()
    return {**listing(filters), "statuses": STATUSES, "sorts": SORT_LABELS,
            "providers": [(p.id, p.name) for p in registry.providers],
            "stats": WatchlistManager(current_user.id).stats(),
            "redis_down": not redis_available()}


@bp.get("/watchlist")
def watchlist() -> Response:
    """The watchlist; htmx requests get only the results (search as you type, pages)."""
    filters = Filters.from_values(request.args)
    if is_htmx():  # the results, and the count cards out of band (they may have moved)
        context = {**listing(filters), "stats": WatchlistManager(current_user.id).stats(),
                   "oob_counts": True}
    else:
        context = _page_context(filters)
    resp = page_or_fragment("watchlist/page.html", "watchlist/_results.html", **context)
    if is_htmx():
        resp.headers["HX-Push-Url"] = context["filters"].url()  # tidy, shareable address
    return resp
