"""New seasons of a followed anime: tell the owners, or add them (SPEC §4 `follow_new_seasons`).

`follow_hub` (the hub-read job) reads one anime page (webapp.checking.seasons) and, for
each season it lists for the first time, acts once per user who has an item on that page
following new seasons, unless the user already has that season: when one of the user's
items there says `add`, the season is added as a new item with that item's settings
(auto-download, quality, languages, notify, follow_new_seasons, upgrade_language) and a
`season_found` event says so; else, when one says `notify`, a `season_found` event offers
it, and the detail page of each of the user's items on that anime shows it with a one-click
"Add … to my watchlist" (`add_found_season`, the same path). `off` does nothing. The
event goes on the newest deciding item; its `data` has the season's `season` (name),
`url`, `key`, `hub_id`, `action` ("notify" or "added") and, once added, `new_item_id`.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select

from webapp.checking.hubs import watching_condition
from webapp.checking.seasons import HubRead, read_hub, season_identity
from webapp.errors import Conflict, Invalid, NotFound
from webapp.extensions import db
from webapp.infra.site_access import get_registry
from webapp.models import Activity, Hub, Source, User, WatchlistItem
from webapp.notifications.activity import record
from webapp.schemas import WatchlistItemCreate
from webapp.watchlist.manager import WatchlistManager

log = logging.getLogger(__name__)

BANNER_EVENTS = 20


def follow_hub(hub_id: int) -> dict[str, Any]:
    """Read the hub and act on the seasons it lists for the first time; a summary."""
    read = read_hub(hub_id)
    actions = act_on_new_seasons(read) if read.new else []
    return {**read.summary(), "actions": actions}


def _following_items(hub_id: int) -> list[WatchlistItem]:
    """The items on the hub that follow its new seasons, newest first."""
    return list(db.session.scalars(
        select(WatchlistItem).join(Source, Source.id == WatchlistItem.source_id)
        .join(User, User.id == WatchlistItem.user_id)
        .where(Source.hub_id == hub_id, watching_condition())
        .order_by(WatchlistItem.created_at.desc(), WatchlistItem.id)))


def _owned(user_ids: list[int], provider: Any, hub_id: int) -> dict[int, dict[str, str]]:
    """{user id: {season identity: item id}} of the users' items on this anime (or on a
    source of the provider not linked to a hub yet)."""
    rows = db.session.execute(
        select(WatchlistItem.user_id, WatchlistItem.id, Source.url)
        .join(Source, Source.id == WatchlistItem.source_id)
        .where(WatchlistItem.user_id.in_(user_ids), Source.provider_id == provider.id,
               or_(Source.hub_id == hub_id, Source.hub_id.is_(None))))
    owned: dict[int, dict[str, str]] = defaultdict(dict)
    for user_id, item_id, key in rows:
        owned[user_id][season_identity(provider, key)] = item_id
    return owned


def act_on_new_seasons(read: HubRead) -> list[dict[str, Any]]:
    """Tell or add each new season, once per following user; what was done."""
    provider = get_registry().get(read.provider_id)
    hub = db.session.get(Hub, read.hub_id)
    if provider is None or hub is None:
        return []
    by_user: dict[int, list[WatchlistItem]] = defaultdict(list)
    for item in _following_items(read.hub_id):
        by_user[item.user_id].append(item)
    owned = _owned(list(by_user), provider, read.hub_id)
    done = []
    for user_id, items in by_user.items():
        deciding = next((i for i in items if i.follow_new_seasons == "add"), items[0])
        for season in read.new:
            if season_identity(provider, season["key"]) in owned[user_id]:
                continue
            done.append(_act(deciding, hub, provider, season))
    return done


def _act(item: WatchlistItem, hub: Hub, provider: Any, season: dict[str, str]) -> dict:
    """Add the season for the item's owner (`add`) or offer it (`notify`); record it."""
    name, key = season["name"], season["key"]
    data: dict[str, Any] = {"season": name, "url": provider.base_url + key, "key": key,
                            "hub_id": hub.id, "action": "notify"}
    user_id, item_id, title = item.user_id, item.id, item.anime_title
    if item.follow_new_seasons == "add":
        try:
            added = create_season_item(item, hub, provider, name, key)
            data.update(action="added", new_item_id=added.id)
        except Conflict:
            return {"user_id": user_id, "season": name, "action": "already"}
        except (Invalid, ValidationError) as exc:
            db.session.rollback()
            log.warning("could not add %s of %s for user %s: %s", name, title, user_id, exc)
    message = (f"New season of {title}: {name}, added to your watchlist."
               if data["action"] == "added" else
               f"New season of {title}: {name}. Add it to your watchlist from this "
               "anime's page.")
    record(user_id, "season_found", message, item_id=item_id, anime_title=title, **data)
    db.session.commit()
    return {"user_id": user_id, "item_id": item_id, "season": name, "action": data["action"]}


def create_season_item(item: WatchlistItem, hub: Hub, provider: Any, name: str,
                       key: str) -> WatchlistItem:
    """A new item for the season `key`, in the item's language, with the item's settings;
    Conflict when the owner already has it."""
    title = f"{hub.title or item.anime_title} ({name})"[:500]
    body = WatchlistItemCreate(
        anime_title=title, anime_url=provider.base_url + key, provider_id=provider.id,
        lang=item.lang, langs=list(item.langs or []) or None,
        auto_download=item.auto_download, quality_preference=item.quality_preference,
        poster_image=item.poster_image, synopsis=item.synopsis, genres=list(item.genres or []),
        follow_new_seasons=item.follow_new_seasons, upgrade_language=item.upgrade_language,
        notify=item.notify)
    return WatchlistManager(item.user_id).create_item(body)


def _hub_of(item: WatchlistItem) -> Hub | None:
    hub_id = db.session.scalar(select(Source.hub_id).where(Source.id == item.source_id))
    return db.session.get(Hub, hub_id) if hub_id is not None else None


def anime_finished(item: WatchlistItem) -> bool | None:
    """What the item's anime page said at its last read: finished (True), airing (False),
    or nothing (None, also when the page was never read)."""
    hub = _hub_of(item)
    return hub.finished if hub is not None else None


def add_found_season(user_id: int, item_id: str, key: str) -> WatchlistItem:
    """The one-click add: the season `key` of the item's anime page, with the item's
    settings. NotFound for another user's item or a season the page does not list;
    Conflict when the user already has it."""
    item = WatchlistManager(user_id).get_item(item_id)
    hub = _hub_of(item)
    provider = get_registry().get(item.provider_id)
    listed = {s.get("key"): s.get("name") for s in (hub.seasons if hub else None) or []}
    if hub is None or provider is None or key not in listed:
        raise NotFound("season of this anime")
    try:
        return create_season_item(item, hub, provider, listed[key] or key, key)
    except ValidationError as exc:
        raise Invalid("This season cannot be added with this anime's settings.",
                      [{"field": "season", "message": str(exc.errors()[0]["msg"])}]) from None


def found_seasons(item: WatchlistItem) -> list[dict[str, Any]]:
    """The seasons found on the item's anime page for its owner, newest first: {"name",
    "key", "action", "item_id" (the owner's item of that season, else None)}."""
    hub = _hub_of(item)
    provider = get_registry().get(item.provider_id)
    if hub is None or provider is None:
        return []
    on_hub = select(WatchlistItem.id).join(Source, Source.id == WatchlistItem.source_id).where(
        WatchlistItem.user_id == item.user_id, Source.hub_id == hub.id)
    events = db.session.scalars(
        select(Activity).where(Activity.user_id == item.user_id,
                               Activity.kind == "season_found",
                               or_(Activity.item_id == item.id, Activity.item_id.in_(on_hub)))
        .order_by(Activity.id.desc()).limit(BANNER_EVENTS))
    owned = _owned([item.user_id], provider, hub.id)[item.user_id]
    found, seen = [], set()
    for event in events:
        try:
            data = json.loads(event.data or "{}")
        except ValueError:
            continue
        key = data.get("key") if isinstance(data, dict) else None
        identity = season_identity(provider, key) if key else None
        if identity is None or identity in seen or owned.get(identity) == item.id:
            continue
        seen.add(identity)
        found.append({"name": data.get("season") or key, "key": key,
                      "action": data.get("action"), "item_id": owned.get(identity)})
    return found
