"""Detail page: an item's sources in order — add (paste a URL), remove, move up or down."""

from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from flask_login import current_user
from pydantic import ValidationError
from werkzeug.wrappers import Response

from webapp.errors import Conflict, Invalid, NotFound
from webapp.infra.site_access import get_registry
from webapp.pages import bp
from webapp.pages.htmx import back_to, is_htmx, page_or_fragment
from webapp.schemas import ItemSourceCreate
from webapp.watchlist.item_sources import ItemSources

FRAGMENT = "detail/_sources.html"


@bp.app_template_global()
def item_sources_of(item: Any) -> list[dict[str, Any]]:
    """The item's sources in order, with their provider's name (for detail/_sources.html)."""
    registry = get_registry()
    return [{**s, "provider_name": getattr(registry.get(s["provider_id"]), "name",
                                           s["provider_id"])}
            for s in ItemSources(current_user.id).list(item.id)]


@bp.app_template_global()
def source_providers() -> list[tuple[str, str]]:
    """(id, name) of every enabled provider, for the add form's choice."""
    return [(p.id, p.name) for p in get_registry().providers]


def _done(item_id: str, error: str | None = None) -> Response:
    """The updated section for htmx (422 with the reason), else back to the detail page."""
    item = ItemSources(current_user.id).manager.get_item(item_id)
    if error is not None and is_htmx():
        return page_or_fragment(FRAGMENT, FRAGMENT, 422, item=item, source_error=error,
                                source_url=request.form.get("anime_url", ""))
    if error is not None:
        flash(error, "error")
    return back_to(url_for("pages.item_detail", item_id=item_id) + "#item-sources",
                   FRAGMENT, item=item)


def _run(item_id: str, action: Any) -> Response:
    """Run one change of the item's sources; a refused one says why."""
    try:
        action(ItemSources(current_user.id))
    except ValidationError as exc:
        return _done(item_id, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                        for e in exc.errors()))
    except (Conflict, Invalid) as exc:
        details = [d.get("message") for d in exc.details if d.get("message")]
        return _done(item_id, f"{exc.message} {' '.join(details)}".strip())
    except NotFound:
        return _done(item_id, "That source is no longer one of this anime's.")
    return _done(item_id)


@bp.post("/watchlist/<item_id>/sources/add")
def add_source(item_id: str) -> Response:
    """Add a backup source from a pasted URL (its provider guessed from it)."""
    form = request.form
    body = {"anime_url": form.get("anime_url", "").strip(),
            **{name: form[name].strip() for name in ("provider_id", "lang")
               if form.get(name, "").strip()}}
    return _run(item_id, lambda s: s.add(item_id, ItemSourceCreate(**body)))


@bp.post("/watchlist/<item_id>/sources/<int:source_id>/remove")
def remove_source(item_id: str, source_id: int) -> Response:
    """Remove one source (never the last)."""
    return _run(item_id, lambda s: s.remove(item_id, source_id))


@bp.post("/watchlist/<item_id>/sources/<int:source_id>/move")
def move_source(item_id: str, source_id: int) -> Response:
    """Move one source up or down by one place (up to the top makes it the item's own)."""
    step = -1 if request.form.get("direction") == "up" else 1

    def move(sources: ItemSources) -> None:
        order = [s["id"] for s in sources.list(item_id)]
        if source_id not in order:
            raise NotFound("source")
        at = order.index(source_id)
        to = min(max(at + step, 0), len(order) - 1)
        order[at], order[to] = order[to], order[at]
        sources.reorder(item_id, order)

    return _run(item_id, move)
