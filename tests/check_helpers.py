"""Helpers for the checker tests: fast users and items, a burst worker, shows on the site."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rq import Queue, SimpleWorker
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from webapp.extensions import db
from webapp.models import Download, Source, User, UserSettings, WatchlistItem

PASSWORD_HASH = generate_password_hash("password123")
CHECK_CONFIG = {
    "HOST_RATE_LIMIT_PER_SECOND": 0,       # no pacing: tests fetch one local host a lot
    "HTTP_TIMEOUT": (2.0, 0.5),            # a "slow" page past 0.5 s is a timeout
    "HTTP_RETRIES": 1,
    "HTTP_BACKOFF_SECONDS": 0.01,
}


def configure(app: Any) -> Any:
    """Give the test app a fast HTTP client (no pacing, short timeouts)."""
    app.config.update(CHECK_CONFIG)
    app.extensions.pop("http_client", None)
    return app


def add_user(name: str, *, scheduler: bool = True, **settings: Any) -> int:
    """A user with default settings (overridable), without the cost of hashing a password."""
    user = User(username=name, password_hash=PASSWORD_HASH, scheduler_enabled=scheduler)
    user.settings = UserSettings(**settings)
    db.session.add(user)
    db.session.commit()
    return user.id


def source_for(url: str, provider_id: str = "directory", lang: str = "any") -> int:
    """The id of the source for this URL (created when missing)."""
    source_id = db.session.scalar(select(Source.id).where(
        Source.provider_id == provider_id, Source.url == url, Source.lang == lang))
    if source_id is None:
        source = Source(provider_id=provider_id, url=url, lang=lang)
        db.session.add(source)
        db.session.commit()
        source_id = source.id
    return source_id


def watch(user_id: int, url: str, title: str = "Show", **fields: Any) -> str:
    """Put a directory source on the user's watchlist; returns the item id."""
    item = WatchlistItem(user_id=user_id, source_id=source_for(url), anime_title=title,
                         anime_url=url, provider_id="directory", lang="any", **fields)
    db.session.add(item)
    db.session.commit()
    return item.id


def item(item_id: str) -> WatchlistItem:
    """The item as the database has it now."""
    db.session.expire_all()
    return db.session.get(WatchlistItem, item_id)


def source(source_id: int) -> Source:
    """The source as the database has it now."""
    db.session.expire_all()
    return db.session.get(Source, source_id)


def downloads(item_id: str) -> list[tuple[float, str]]:
    """(episode, status) of the item's downloads, in episode order."""
    db.session.expire_all()
    rows = db.session.scalars(select(Download).where(Download.item_id == item_id)
                              .order_by(Download.episode))
    return [(d.episode, d.status) for d in rows]


class BurstWorker(SimpleWorker):
    """RQ's SimpleWorker without its command channel (stopping its listener thread costs a
    second per burst; burst tests send no commands)."""

    def subscribe(self) -> None:
        """No pub/sub listener."""

    def unsubscribe(self) -> None:
        """No pub/sub listener."""


def run_worker(redis_conn: Any) -> None:
    """Run every queued check job with a SimpleWorker in burst mode."""
    BurstWorker([Queue("checks", connection=redis_conn)], connection=redis_conn).work(
        burst=True)
    db.session.remove()


def new_show(site: Any, name: str, episodes: int = 3, shape: str = "nginx") -> str:
    """Publish a directory of `episodes` files on the fixture site; returns its URL."""
    key = f"/dir/{shape}/{name}/"
    site.add_show("directory", key, name.title(), episodes=episodes,
                  options={"pattern": name.title() + " - {n:02d} (1080p).mkv"})
    return site.url_for(key)


def claim_due_sources(now: datetime) -> list[int]:
    """Every source the tick would claim at `now`, all batches together."""
    from webapp.checking.due import claim_batches

    return [source_id for batch in claim_batches(now) for source_id in batch]
