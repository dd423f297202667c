"""A user's read-only shared watchlist: the link (one per user, only its SHA-256 kept), what
the link shows (titles, statuses and progress, nothing else), and importing it.

Importing a shared list goes through the backup import (`backup.import_items`), so it is
idempotent: the anime the importer already tracks are skipped. The owner's anime URLs
are read here, server-side; the viewer never sees them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from webapp.clock import utcnow
from webapp.errors import Invalid, NotFound
from webapp.extensions import db
from webapp.models import ShareLink, WatchlistItem
from webapp.schemas import ImportItem, WatchlistImport, episode_number
from webapp.watchlist import backup
from webapp.watchlist.sources import ResolvedSource, resolve_preferred

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,128}$")
SHARED_PATH = "shared/"
STATUS_ORDER = {"active": 0, "paused": 1, "completed": 2, "archived": 3}
# What an imported item takes from the owner's; the rest (progress, download and
# notification preferences) are the importer's own defaults.
IMPORTED_FIELDS = ("anime_title", "anime_url", "provider_id", "lang", "langs", "poster_image",
                   "synopsis", "genres", "status")


@dataclass(frozen=True)
class SharedEntry:
    """One line of a shared list: exactly what a viewer may see."""

    title: str
    status: str
    downloaded: int | float
    available: int | float | None


def token_hash(token: str) -> str:
    """The SHA-256 (hex) a link's token is stored as."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(user_id: int) -> tuple[str, datetime]:
    """A new token for the user's shared list, replacing the old one: (token, created_at)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    link = db.session.get(ShareLink, user_id)
    if link is None:
        db.session.add(ShareLink(user_id=user_id, token_hash=token_hash(token), created_at=now))
    else:
        link.token_hash, link.created_at = token_hash(token), now
    try:
        db.session.commit()
    except IntegrityError:  # created by a concurrent request meanwhile: replace that one
        db.session.rollback()
        link = db.session.get(ShareLink, user_id)
        link.token_hash, link.created_at = token_hash(token), now
        db.session.commit()
    return token, now


def revoke_link(user_id: int) -> bool:
    """Stop the user's shared link from working; whether there was one."""
    removed = db.session.execute(delete(ShareLink).where(ShareLink.user_id == user_id))
    db.session.commit()
    return bool(removed.rowcount)


def link_created_at(user_id: int) -> datetime | None:
    """When the user's current link was made (None: no link)."""
    return db.session.scalar(select(ShareLink.created_at).where(ShareLink.user_id == user_id))


def owner_of(token: str) -> int | None:
    """The user whose list the token shows (None: unknown, revoked or replaced)."""
    if not TOKEN_RE.match(token or ""):
        return None
    return db.session.scalar(select(ShareLink.user_id)
                             .where(ShareLink.token_hash == token_hash(token)))


def shared_entries(owner_id: int) -> list[SharedEntry]:
    """The owner's titles with their status and progress, active ones first, by title."""
    rows = db.session.execute(
        select(WatchlistItem.anime_title, WatchlistItem.status,
               WatchlistItem.last_episode_downloaded, WatchlistItem.last_episode_available)
        .where(WatchlistItem.user_id == owner_id)
        .order_by(func.lower(WatchlistItem.anime_title), WatchlistItem.id))
    entries = [SharedEntry(title, status, episode_number(downloaded) or 0,
                           episode_number(available))
               for title, status, downloaded, available in rows]
    return sorted(entries, key=lambda e: STATUS_ORDER.get(e.status, 9))


def token_from_url(url: str, url_root: str) -> str:
    """The token of a `/shared/<token>` link of this install (`url_root`: the install's
    root URL, its host and path); Invalid for any other URL."""
    try:
        given, root = urlsplit(url.strip()), urlsplit(url_root)
    except ValueError:
        given = root = None
    prefix = (root.path if root else "/").rstrip("/") + "/" + SHARED_PATH
    path = unquote(given.path) if given else ""
    token = path[len(prefix):].rstrip("/") if path.startswith(prefix) else ""
    same_host = given is not None and given.netloc.lower() == root.netloc.lower()
    if not same_host or not TOKEN_RE.match(token):
        message = f"must be a shared-list link of this site ({url_root}{SHARED_PATH}…)"
        raise Invalid(f"The URL {message}.", [{"field": "url", "message": message}])
    return token


def _owner_items(owner_id: int) -> tuple[list[ImportItem], list[ResolvedSource], int]:
    """The owner's items as import entries with their sources, and how many the owner has
    (an item whose fields or URL this install no longer accepts is left out, never told:
    the message would name the owner's URL)."""
    columns = [getattr(WatchlistItem, name) for name in IMPORTED_FIELDS]
    rows = db.session.execute(select(*columns).where(WatchlistItem.user_id == owner_id)
                              .order_by(WatchlistItem.created_at, WatchlistItem.id)).all()
    items, resolved = [], []
    for row in rows:
        data = {name: getattr(row, name) for name in IMPORTED_FIELDS}
        data["genres"] = list(data["genres"] or [])
        data["langs"] = list(data["langs"] or []) or None
        try:
            item = ImportItem.model_validate(data)
            resolved.append(resolve_preferred(item.anime_url, item.provider_id, item.lang,
                                              item.langs))
        except (ValidationError, Invalid):
            continue
        items.append(item)
    return items, resolved, len(rows)


def import_shared(user_id: int, token: str) -> tuple[int, int]:
    """Add the shared list's anime to the user's watchlist: (created, skipped). Anime the
    user already tracks, and any whose URL this install no longer accepts, are skipped."""
    owner_id = owner_of(token)
    if owner_id is None:
        raise NotFound("shared list")
    items, resolved, total = _owner_items(owner_id)
    doc = WatchlistImport.model_construct(version=1, exported_at=None, settings=None,
                                          items=items)
    created, _skipped = backup.import_items(user_id, doc, resolved)
    return created, total - created
