"""The Atom feeds of completed downloads (with the files as enclosures) and of new episodes.

`/feeds/downloads.xml` lists the owner's completed downloads whose file is in the library,
newest first; each entry's enclosure is `/feeds/files/<id>/<file name>?token=...`, a URL a
podcast player fetches as given (Range supported). `/feeds/new-episodes.xml` lists the
episodes found on the sources of the owner's items, downloaded or not, each linking to the
anime's page. Entry ids are `urn:uuid`s derived from row ids: stable across hosts and runs.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Response, current_app, g, request, url_for

from webapp.downloading.files import completed_file, file_response
from webapp.downloading.history import human_size
from webapp.feeds import bp, feed_user_id, private
from webapp.feeds.atom_entry import complete_entry
from webapp.feeds.entries import FoundEpisode, LibraryFile, found_episodes, library_files

# Fixed: entry and feed ids must not change between runs or hosts.
ID_NAMESPACE = uuid.UUID("5d0c6a3e-3b7e-4c38-9a57-2f1e0f6b9a41")
# Characters XML 1.0 cannot carry (lxml refuses them); a site's title may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
ATOM_TYPE = "application/atom+xml; charset=utf-8"

if TYPE_CHECKING:  # feedgen (~11 MB) is imported only by a process that writes a feed
    from feedgen.feed import FeedGenerator


def _text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def _urn(*parts: object) -> str:
    return uuid.uuid5(ID_NAMESPACE, "/".join(str(p) for p in parts)).urn


def _external(endpoint: str, **values: object) -> str:
    return url_for(endpoint, _external=True, **values)


def _feed(kind: str, title: str, subtitle: str, newest: datetime | None) -> FeedGenerator:
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(_urn("feed", kind, feed_user_id()))
    feed.title(title)
    feed.subtitle(subtitle)
    feed.author({"name": "Watchlist"})
    feed.link(href=_external(request.endpoint, token=request.args["token"]), rel="self",
              type="application/atom+xml")
    feed.link(href=_external("pages.index"), rel="alternate", type="text/html")
    # An empty feed's date must not change on every read (readers compare it, and its ETag).
    feed.updated(newest or g.feed_user.created_at)
    return feed


def _atom(feed: FeedGenerator) -> Response:
    resp = Response(feed.atom_str(pretty=True), content_type=ATOM_TYPE)
    resp.add_etag()
    return private(resp.make_conditional(request))


def _add_download(feed: FeedGenerator, entry: LibraryFile, token: str) -> None:
    item = feed.add_entry(complete_entry(), order="append")
    item.id(_urn("download", entry.download_id))
    item.title(_text(entry.title))
    item.updated(entry.finished_at)
    item.published(entry.finished_at)
    item.link(href=_external("pages.watch_download", download_id=entry.download_id),
              rel="alternate", type="text/html")
    item.enclosure(_external("feeds.library_file", download_id=entry.download_id,
                             name=entry.path.name, token=token),
                   str(entry.size), entry.media_type)
    item.summary(_text(f"{entry.title} is in the library: {entry.path.name} "
                       f"({human_size(entry.size)})."))


def _add_episode(feed: FeedGenerator, entry: FoundEpisode) -> None:
    item = feed.add_entry(complete_entry(), order="append")
    item.id(_urn("episode", entry.item_id, entry.source_episode_id))
    item.title(_text(entry.title))
    item.updated(entry.first_seen_at)
    item.published(entry.first_seen_at)
    item.link(href=_external("pages.item_detail", item_id=entry.item_id), rel="alternate",
              type="text/html")
    state = "in the library" if entry.in_library else \
        f"not in the library (download {entry.download_status})" if entry.download_status \
        else "not in the library (not downloaded)"
    named = f" “{entry.episode_title}”" if entry.episode_title else ""
    item.summary(_text(f"{entry.title}{named} appeared on {entry.site}: {state}."))
    item.category(term="in-library" if entry.in_library else "not-in-library")


@bp.get("/downloads.xml")
def downloads_feed() -> Response:
    """Atom: the owner's completed downloads, newest first, the files as enclosures."""
    entries = library_files(feed_user_id(), current_app.config["DOWNLOAD_DIR"])
    feed = _feed("downloads", "Watchlist: downloaded episodes",
                 "Episodes downloaded into the library, newest first.",
                 entries[0].finished_at if entries else None)
    for entry in entries:
        _add_download(feed, entry, request.args["token"])
    return _atom(feed)


@bp.get("/new-episodes.xml")
def new_episodes_feed() -> Response:
    """Atom: the episodes found on the owner's items' sources, newest first, downloaded or not."""
    entries = found_episodes(feed_user_id())
    feed = _feed("new-episodes", "Watchlist: new episodes",
                 "Episodes found on the sites of your watchlist, newest first.",
                 entries[0].first_seen_at if entries else None)
    for entry in entries:
        _add_episode(feed, entry)
    return _atom(feed)


@bp.get("/files/<id:download_id>")
@bp.get("/files/<id:download_id>/<name>")
def library_file(download_id: int, name: str | None = None) -> Response:
    """A downloads-feed enclosure: the owner's completed file (Range supported), else 404.
    The file name in the path is for players that look at it; the id decides."""
    path = completed_file(feed_user_id(), download_id, current_app.config["DOWNLOAD_DIR"])
    return private(file_response(path))
