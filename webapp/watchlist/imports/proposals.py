"""Import proposals: matched lists kept in `list_imports` until the user confirms them.

Confirming adds the accepted entries (with the user's corrections) through the JSON
import's path (`backup.import_items`): an anime already on the list is skipped, so
confirming twice, or importing the same list again, adds nothing.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from pydantic import ValidationError
from sqlalchemy import select

from webapp.clock import isoformat, utcnow
from webapp.errors import Invalid, NotFound
from webapp.extensions import db, get_redis
from webapp.infra.site_access import get_registry, get_search_client
from webapp.models import ListImport
from webapp.schemas import ImportItem, WatchlistImport
from webapp.watchlist import backup
from webapp.watchlist.imports.anilist import fetch_anilist_list
from webapp.watchlist.imports.entries import ListEntry
from webapp.watchlist.imports.mal import parse_mal_export
from webapp.watchlist.imports.matching import MATCH_THRESHOLD
from webapp.watchlist.imports.searching import Matcher
from webapp.watchlist.sources import ResolvedSource, resolve

PRECHECK_CONFIDENCE = 0.9
PUBLIC_ENTRY_FIELDS = ("title", "status", "match", "confidence")
__all__ = ["MATCH_THRESHOLD", "PRECHECK_CONFIDENCE", "confirm_import", "get_import",
           "import_anilist", "import_mal", "proposal_dict"]


def _propose(user_id: int, origin: str, entries: list[ListEntry]) -> ListImport:
    """Match every entry and keep the proposal."""
    matcher = Matcher(get_registry(), get_search_client(), get_redis(),
                      float(current_app.config.get("IMPORT_MATCH_DEADLINE_SECONDS", 120.0)))
    proposals = matcher.match_all(entries)
    rows = [{**entry.to_dict(), "match": p.match, "confidence": p.confidence}
            for entry, p in zip(entries, proposals, strict=True)]
    row = ListImport(user_id=user_id, origin=origin, entries=json.dumps(rows))
    db.session.add(row)
    db.session.commit()
    return row


def import_mal(user_id: int, body: bytes) -> ListImport:
    """A proposal from a MyAnimeList XML export (Invalid when it is not one)."""
    return _propose(user_id, "mal", parse_mal_export(body))


def import_anilist(user_id: int, user: str) -> ListImport:
    """A proposal from an AniList user's list (Invalid: no such user; ServiceUnavailable)."""
    client = get_search_client()
    entries = fetch_anilist_list(client, current_app.config["ANILIST_API_URL"], user)
    return _propose(user_id, "anilist", entries)


def get_import(user_id: int, import_id: str) -> ListImport:
    """The user's proposal; NotFound for an unknown id or another user's."""
    row = db.session.scalar(select(ListImport).where(ListImport.id == import_id[:32],
                                                     ListImport.user_id == user_id))
    if row is None:
        raise NotFound("import")
    return row


def entries_of(row: ListImport) -> list[dict[str, Any]]:
    """The stored entries of a proposal."""
    return json.loads(row.entries or "[]")


def proposal_dict(row: ListImport) -> dict[str, Any]:
    """The API JSON of a proposal."""
    return {"id": row.id, "origin": row.origin,
            "entries": [{k: e.get(k) for k in PUBLIC_ENTRY_FIELDS} for e in entries_of(row)],
            "created_count": row.created_count, "created_at": isoformat(row.created_at),
            "confirmed_at": isoformat(row.confirmed_at) if row.confirmed_at else None}


def _item(entry: dict[str, Any], target: dict[str, Any], prefix: str) -> ImportItem:
    title = (target.get("title") or entry["title"])[:500]
    try:
        return ImportItem(anime_title=title, anime_url=target["url"],
                          provider_id=target.get("provider_id"), lang=target.get("lang"),
                          last_episode_downloaded=float(entry.get("progress") or 0))
    except ValidationError as exc:
        raise Invalid("An accepted entry cannot be added.", [
            {"field": prefix + ".".join(str(p) for p in err["loc"]), "message": err["msg"]}
            for err in exc.errors()]) from None


def _planned(entries: list[dict[str, Any]], accept: list[int],
             override: dict[int, dict[str, Any]]) -> list[tuple[ImportItem, ResolvedSource]]:
    """Every accepted entry as an import item with its checked source; Invalid (naming
    every bad index) when one has no match and no correction, or a URL does not fit."""
    planned, errors = [], []
    for position, index in enumerate(dict.fromkeys(accept)):
        if not 0 <= index < len(entries):
            errors.append({"field": f"accept.{position}",
                           "message": f"no entry {index} (the list has {len(entries)})"})
            continue
        entry = entries[index]
        target = override.get(index) or entry.get("match")
        prefix = f"override.{index}." if index in override else f"accept.{position}."
        if not target:
            errors.append({"field": f"accept.{position}",
                           "message": f"entry {index} has no match: give its URL in override"})
            continue
        try:
            item = _item(entry, target, prefix)
            planned.append((item, resolve(item.anime_url, item.provider_id, item.lang, prefix)))
        except Invalid as exc:
            errors.extend(exc.details)
    if errors:
        raise Invalid("Some accepted entries cannot be added; nothing was added.", errors)
    return planned


def confirm_import(user_id: int, import_id: str, accept: list[int],
                   override: dict[int, dict[str, Any]]) -> tuple[int, int]:
    """Add the accepted entries (corrected by `override`): (created, skipped)."""
    row = get_import(user_id, import_id)
    planned = _planned(entries_of(row), accept, override)
    doc = WatchlistImport(version=1, items=[item for item, _r in planned])
    created, skipped = backup.import_items(user_id, doc, [r for _i, r in planned])
    row.created_count = (row.created_count or 0) + created
    row.confirmed_at = utcnow()
    db.session.commit()
    return created, skipped
