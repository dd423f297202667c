"""Helpers for the new-season tests: an anime on the fixture site whose page lists only
season 1 at first, items on it made through the real create path, and the real tick, hub
read, check and download jobs run a day apart (time-machine moves the clock; Redis turn
keys, which time-machine cannot age, are dropped between ticks)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import time_machine
from rq import Queue, SimpleWorker
from sqlalchemy import select

from tests.check_helpers import BurstWorker, configure
from tests.fixture_site import site_config
from webapp.checking.tick import tick
from webapp.clock import utcnow
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.models import Activity, Download, Hub, WatchlistItem
from webapp.schemas import WatchlistItemCreate
from webapp.watchlist.manager import WatchlistManager

SLUG = "mushoku-tensei"
HUB = f"/catalogue/{SLUG}/"
S1 = f"{HUB}saison1/vostfr/"
S2 = f"{HUB}saison2/vostfr/"
FILM = f"{HUB}film/vostfr/"
TITLE = "Mushoku Tensei"
FILE_SIZE = 64 * 1024


def setup_site(app: Any, site: Any) -> None:
    """Point the app at the fixture site (fast client, no download retries) and publish
    season 1 of the anime, alone on its page."""
    configure(app)
    app.config.update(site_config(site), DOWNLOAD_RETRY_INTERVALS=(), HTTP_RETRIES=0,
                      HTTP_TIMEOUT=(5.0, 5.0))
    app.extensions.pop("provider_registry", None)
    site.media_size = FILE_SIZE
    site.add_show("animesama", S1, TITLE, episodes=2)


def add_item(user_id: int, key: str = S1, **fields: Any) -> str:
    """The user's item on an anime-sama season, through WatchlistManager.create_item."""
    body = WatchlistItemCreate(anime_title=TITLE, anime_url=f"https://anime-sama.to{key}",
                               **fields)
    return WatchlistManager(user_id).create_item(body).id


def work(redis_conn: Any, queue: str = "checks") -> None:
    """Run every job of the queue (burst)."""
    worker = BurstWorker if queue == "checks" else SimpleWorker
    worker([Queue(queue, connection=redis_conn)], connection=redis_conn).work(burst=True)
    db.session.remove()


def tick_and_work(redis_conn: Any) -> Any:
    """One tick (the turn keys of the last minute dropped) and the checks it sent."""
    conn = get_redis()
    conn.delete(keys.hub_read_turn("animesama"), keys.site_feed_turn("animesama"))
    result = tick()
    work(redis_conn)
    return result


def read_pages(redis_conn: Any) -> list[int]:
    """Tick (and work) until no anime page is due: one page of a site per tick; the hubs
    read."""
    read: list[int] = []
    for _ in range(5):
        sent = tick_and_work(redis_conn).hub_reads
        if not sent:
            return read
        read += sent
    raise AssertionError(f"anime pages still due after {read}")


def later(days: float) -> Any:
    """time-machine, `days` from now, the clock running."""
    return time_machine.travel(utcnow() + timedelta(days=days), tick=True)


def download_all(redis_conn: Any) -> None:
    """Dispatch the pending downloads and run them to the end."""
    from webapp.downloading.dispatch import dispatch_pending

    dispatch_pending()
    work(redis_conn, "downloads")


def hub() -> Hub:
    """The anime's hub row as the database has it now."""
    db.session.expire_all()
    return db.session.scalar(select(Hub).where(Hub.url == HUB))


def items_of(user_id: int) -> dict[str, WatchlistItem]:
    """The user's items by anime URL path."""
    db.session.expire_all()
    rows = db.session.scalars(select(WatchlistItem).where(WatchlistItem.user_id == user_id))
    return {"/" + item.anime_url.split("/", 3)[3]: item for item in rows}


def season_events(user_id: int) -> list[tuple[str | None, str, dict]]:
    """(item id, message, data) of the user's season_found events, oldest first."""
    db.session.expire_all()
    rows = db.session.scalars(select(Activity).where(
        Activity.user_id == user_id, Activity.kind == "season_found").order_by(Activity.id))
    return [(a.item_id, a.message, json.loads(a.data)) for a in rows]


def downloads_of(item_id: str) -> dict[float, Download]:
    """The item's downloads by episode."""
    db.session.expire_all()
    rows = db.session.scalars(select(Download).where(Download.item_id == item_id))
    return {row.episode: row for row in rows}
