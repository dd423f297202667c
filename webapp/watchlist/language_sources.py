"""An item's sources in order, and its other languages kept as backup sources.

Position 0 is the item's own source (`source_id`, `anime_url`, `lang`); `item_sources`
rows are positions 1, 2, ... (webapp.checking.backup_sources uses them at check time).
An item whose `langs` is `["vf", "vostfr"]` watches its anime URL in each language: every
language after the first is a backup source, the same URL in that language (a "language
row"). `sync_langs` creates and removes those rows when `langs` changes (create, update,
import); the other backup sources (another provider, a mirror, a directory) are the
user's own and stay where they are. `refresh_langs` goes the other way: after the sources
change, `langs` is the item's language followed by its language rows' in their order.
"""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.infra.site_access import get_registry
from webapp.models import ItemSource, Source, WatchlistItem
from webapp.sites.types import UrlError
from webapp.sites.urls import origin_of
from webapp.watchlist.sources import ResolvedSource, source_id_for

MAX_SOURCES = 10                # an item's sources, its own included


def backup_rows(item_id: str) -> list[tuple[ItemSource, Source]]:
    """The item's backup sources (positions 1, 2, ...) with their source rows, in order."""
    return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
        select(ItemSource, Source).join(Source, Source.id == ItemSource.source_id)
        .where(ItemSource.item_id == item_id).order_by(ItemSource.position, ItemSource.id))]


def in_language(item: WatchlistItem, lang: str) -> ResolvedSource | None:
    """The item's own anime URL in another language (None where the site has no such URL);
    no network: the URL was checked when the item got it."""
    try:
        provider, normalised = get_registry().resolve(item.anime_url, item.provider_id, lang)
    except UrlError:
        return None
    return ResolvedSource(provider.id, normalised.key, normalised.lang, normalised.display_url)


def is_language_row(item: WatchlistItem, source: Source) -> bool:
    """Whether this backup source is the item's own URL in the source's language."""
    if source.provider_id != item.provider_id or source.lang == item.lang:
        return False
    same = in_language(item, source.lang)
    return same is not None and same.key == source.url


def display_url(item: WatchlistItem, source: Source) -> str:
    """A backup source's URL as the user sees it (on the item's domain where it can be)."""
    if source.url.startswith(("http://", "https://")):
        return source.url
    if source.provider_id == item.provider_id:
        return origin_of(item.anime_url) + source.url
    provider = get_registry().get(source.provider_id)
    return (provider.base_url if provider is not None else "") + source.url


def renumber(rows: list[ItemSource]) -> None:
    """Positions 1, 2, ... in this order."""
    for position, row in enumerate(rows, start=1):
        row.position = position


def refresh_langs(item: WatchlistItem, rows: list[tuple[ItemSource, Source]]) -> None:
    """`langs` after the sources changed: the item's lang, then its language rows'."""
    rest = [source.lang for _row, source in rows if is_language_row(item, source)]
    item.langs = list(dict.fromkeys([item.lang, *rest]))


def sync_langs(item: WatchlistItem) -> None:
    """Make the item's language rows match `langs[1:]` (in that order, before the other
    backup sources); committed."""
    wanted: list[int] = []
    for lang in (item.langs or [])[1:]:
        resolved = in_language(item, lang)
        if resolved is None:
            continue
        source_id = source_id_for(resolved)          # commits a new source row
        if source_id != item.source_id and source_id not in wanted:
            wanted.append(source_id)
    rows = backup_rows(item.id)
    kept, others = {}, []
    for row, source in rows:
        if row.source_id == item.source_id or (
                is_language_row(item, source) and row.source_id not in wanted):
            db.session.delete(row)
        elif row.source_id in wanted:
            kept[row.source_id] = row
        else:
            others.append(row)
    order = [kept.get(sid) or ItemSource(item_id=item.id, source_id=sid) for sid in wanted]
    order = (order + others)[:MAX_SOURCES - 1]
    db.session.add_all(order)
    renumber(order)
    db.session.commit()


def sync_imported(user_id: int) -> None:
    """`sync_langs` for the user's items that name several languages and have no backup
    source yet (what an import just created)."""
    with_rows = select(ItemSource.item_id)
    items = db.session.scalars(select(WatchlistItem).where(
        WatchlistItem.user_id == user_id, WatchlistItem.id.not_in(with_rows)))
    for item in [i for i in items if len(i.langs or []) > 1]:
        sync_langs(item)

