"""The owner's notification about one download ("<title> episode <n> <what>")."""

from __future__ import annotations

from webapp.extensions import db
from webapp.models import Download, WatchlistItem
from webapp.notifications.inbox import notify
from webapp.schemas import episode_number


def title_of(download: Download) -> str:
    """The download's anime as its owner calls it."""
    item = db.session.get(WatchlistItem, download.item_id)
    return item.anime_title if item is not None else "An anime"


def episode_text(download: Download) -> str:
    """"<title> episode <n> " — how messages about one episode begin."""
    return f"{title_of(download)} episode {episode_number(download.episode)} "


def tell_owner(download: Download, kind: str, what: str = "", *,
               message: str | None = None) -> None:
    """Notify the owner "<title> episode <n> <what>" (or `message`), committed."""
    notify(download.user_id, kind, message or episode_text(download) + what,
           item_id=download.item_id)
    db.session.commit()
