"""Kodi/Jellyfin metadata beside the library's files (SPEC §5, `metadata_files`).

For a placed episode the show folder gets `tvshow.nfo` (`<tvshow>`: title, original
title, plot, genres, the source URL as a unique id), the episode an `<episodedetails>`
NFO of the same base name (title, season, episode, first-seen date as aired date), and
`poster.jpg` / `seasonNN-poster.jpg` from the poster cache where there is a poster (the
cache's re-encoded JPEG; a copy an earlier version wrote as the site sent it is replaced).

Every file is written atomically (a temporary file, fsync, rename) with lxml, which
escapes all text. What we wrote is remembered in a hidden sidecar in the show folder
(`.animewatch-metadata.json`: file → SHA-256 of our bytes): a file is rewritten only when
it still holds exactly what we wrote, so a file the user edited or put there by hand is
never touched, and ours follow the site's data when it changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from webapp.extensions import db
from webapp.library.layout import library_title, placement_of
from webapp.library.poster_image import normalise
from webapp.library.posters import Poster, poster_for
from webapp.models import Download, Source, SourceEpisode, WatchlistItem

log = logging.getLogger(__name__)

SIDECAR = ".animewatch-metadata.json"
UNIQUE_ID_TYPE = "animewatch"
POSTER_EXTS = ("jpg", "png", "webp", "gif")
# XML 1.0 refuses these characters even escaped: they are dropped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: object) -> str:
    """Text that XML 1.0 accepts (lxml escapes &, < and > itself)."""
    return _INVALID_XML.sub("", str(text or "")).strip()


def _element(parent: etree._Element, tag: str, text: object, **attrs: str) -> None:
    value = clean(text)
    if value:
        child = etree.SubElement(parent, tag, **attrs)
        child.text = value


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True,
                          pretty_print=True)


@dataclass(frozen=True)
class ShowInfo:
    """What the show's NFO says: the site's data about the source."""

    title: str
    original_title: str | None
    plot: str | None
    genres: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class EpisodeInfo:
    """What an episode's NFO says."""

    show_title: str
    title: str
    season: int
    number: float
    aired: str | None
    url: str


def tvshow_nfo(show: ShowInfo) -> bytes:
    """The `tvshow.nfo` document of a show."""
    root = etree.Element("tvshow")
    _element(root, "title", show.title)
    if show.original_title and clean(show.original_title) != clean(show.title):
        _element(root, "originaltitle", show.original_title)
    _element(root, "plot", show.plot)
    for genre in show.genres:
        _element(root, "genre", genre)
    _element(root, "uniqueid", show.url, type=UNIQUE_ID_TYPE, default="true")
    return _serialise(root)


def episode_nfo(episode: EpisodeInfo) -> bytes:
    """The `<episodedetails>` NFO of one episode (a decimal special has no <episode>)."""
    root = etree.Element("episodedetails")
    _element(root, "title", episode.title)
    _element(root, "showtitle", episode.show_title)
    _element(root, "season", episode.season)
    if float(episode.number).is_integer():
        _element(root, "episode", int(episode.number))
    _element(root, "aired", episode.aired)
    _element(root, "uniqueid", episode.url, type=UNIQUE_ID_TYPE, default="true")
    return _serialise(root)


# --- writing, never over a file the user made ---------------------------------------------


class ShowFolder:
    """One show folder and the record of the metadata files we wrote in it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sidecar = folder / SIDECAR
        try:
            self.written: dict[str, str] = json.loads(self.sidecar.read_text("utf-8"))
            if not isinstance(self.written, dict):
                self.written = {}
        except (OSError, ValueError):
            self.written = {}

    def write(self, path: Path, data: bytes) -> bool:
        """Write `data` at `path` unless the user owns the file there; True when written."""
        key = path.relative_to(self.folder).as_posix()
        new_hash = hashlib.sha256(data).hexdigest()
        if path.exists():
            current = hashlib.sha256(path.read_bytes()).hexdigest()
            if self.written.get(key) != current:
                return False  # not what we wrote: the user's file stays
            if current == new_hash:
                return False
        atomic_write(path, data)
        self.written[key] = new_hash
        atomic_write(self.sidecar, json.dumps(self.written, indent=1, sort_keys=True).encode())
        return True

    def remove(self, name: str) -> None:
        """Delete `name` (relative to the folder) if it still holds what we wrote there."""
        path = self.folder / name
        if name not in self.written:
            return
        try:
            if hashlib.sha256(path.read_bytes()).hexdigest() == self.written[name]:
                path.unlink()
        except FileNotFoundError:
            pass
        del self.written[name]
        atomic_write(self.sidecar, json.dumps(self.written, indent=1, sort_keys=True).encode())

    def ours(self, name: str) -> str | None:
        """The hash of what we wrote at `name` (relative to the folder), if anything."""
        return self.written.get(name)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# --- from the database to the files -------------------------------------------------------


def _item_url(source: Source) -> str:
    url = db.session.scalar(select(WatchlistItem.anime_url)
                            .where(WatchlistItem.source_id == source.id)
                            .order_by(WatchlistItem.created_at, WatchlistItem.id).limit(1))
    return url or source.url


def show_info(source: Source) -> ShowInfo:
    """The show's data as the site gave it (the first item's where the site gave none)."""
    title = library_title(source)
    item = db.session.scalars(select(WatchlistItem).where(WatchlistItem.source_id == source.id)
                              .order_by(WatchlistItem.created_at, WatchlistItem.id)
                              .limit(1)).first()
    plot = source.synopsis or (item.synopsis if item is not None else None)
    genres = source.genres or (item.genres if item is not None else []) or []
    original = item.anime_title if item is not None else None
    return ShowInfo(title=title, original_title=original, plot=plot,
                    genres=tuple(str(g) for g in genres), url=_item_url(source))


def episode_info(source: Source, number: float) -> EpisodeInfo:
    """An episode's data: the site's title where it names it, its place, first sight."""
    place = placement_of(source, number)
    row = db.session.execute(select(SourceEpisode.title, SourceEpisode.first_seen_at).where(
        SourceEpisode.source_id == source.id, SourceEpisode.number == number)).first()
    label = f"{place.number:g}"
    title = (row.title if row is not None and row.title else None) or f"Episode {label}"
    aired = row.first_seen_at.date().isoformat() if row is not None and row.first_seen_at \
        else None
    return EpisodeInfo(show_title=library_title(source), title=title, season=place.season,
                       number=place.number, aired=aired, url=_item_url(source))


def show_folder_of(path: Path, root: Path) -> Path | None:
    """The show folder (first level under the library root) of a library file."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return root.resolve() / relative.parts[0] if len(relative.parts) >= 3 else None


def _season_poster_name(season: int) -> str:
    return "season-specials-poster" if season == 0 else f"season{season:02d}-poster"


def _write_image(show: ShowFolder, stem: str, poster: Poster) -> None:
    """Write `<stem>.jpg`, dropping our copies an earlier version wrote as .png/.webp/.gif."""
    if show.write(show.folder / f"{stem}.{poster.ext}", poster.data) or \
            show.ours(f"{stem}.{poster.ext}") == hashlib.sha256(poster.data).hexdigest():
        for ext in POSTER_EXTS:
            if ext != poster.ext:
                show.remove(f"{stem}.{ext}")


def _earlier_copy(show: ShowFolder, name: str, poster: Poster) -> bool:
    """Whether our `name` is this poster as the site sent it (written before re-encoding)."""
    try:
        data = (show.folder / name).read_bytes()
    except OSError:
        return False
    if hashlib.sha256(data).hexdigest() != show.ours(name):
        return False  # the user's file now
    return normalise(data) == poster.data


def _write_posters(show: ShowFolder, source: Source, season: int) -> None:
    url = source.poster_image or db.session.scalar(
        select(WatchlistItem.poster_image).where(WatchlistItem.source_id == source.id,
                                                 WatchlistItem.poster_image.is_not(None))
        .limit(1))
    poster: Poster | None = poster_for(url) if url else None
    if poster is None:
        return
    ours = next((name for name in show.written if name.startswith("poster.")), None)
    if ours is None:
        if not any((show.folder / f"poster.{ext}").exists() for ext in POSTER_EXTS):
            show.write(show.folder / f"poster.{poster.ext}", poster.data)
    elif show.ours(ours) == hashlib.sha256(poster.data).hexdigest():
        return
    elif _earlier_copy(show, ours, poster):
        _write_image(show, "poster", poster)
    else:
        # This season's source has a poster of its own, other than the show's.
        _write_image(show, _season_poster_name(season), poster)


def write_for_download(download: Download, root: Path) -> list[str]:
    """Write (or update) the NFO files and posters of a completed download's episode."""
    if not download.path:
        return []
    path = Path(download.path)
    folder = show_folder_of(path, root)
    source = db.session.get(Source, download.source_id)
    if folder is None or source is None or not path.is_file():
        return []
    show = ShowFolder(folder)
    written = []
    if show.write(folder / "tvshow.nfo", tvshow_nfo(show_info(source))):
        written.append("tvshow.nfo")
    episode = episode_info(source, download.episode)
    nfo = path.with_suffix(".nfo")
    if show.write(nfo, episode_nfo(episode)):
        written.append(nfo.relative_to(folder).as_posix())
    try:
        _write_posters(show, source, episode.season)
    except OSError as exc:
        log.warning("poster of %s not written: %s", folder.name, exc)
    return written
