"""Where a finished file goes in the library and what it is called (SPEC §5) — one module.

`library_path` builds `<Title>/Season 02/<Title> - S02E05 [VF].mp4` (or
`<Title>/Specials/<Title> - S00E05.mp4` for season 0) from names a site gave us: every
component is cleaned so that Linux, Windows (SMB shares) and macOS accept it, and the
result is resolved and checked to lie inside DOWNLOAD_DIR. `place_file` moves a finished
part file there durably, or adopts an identical file that is already in place.

The title is the source's title as the site gives it, else the title of the first item
that tracks it; the season and the default language are the provider's to say.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Source, SourceEpisode, WatchlistItem
from webapp.sites.providers.registry import PROVIDER_CLASSES

# Windows refuses these names, with or without an extension ("CON.mp4" too).
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
             *(f"COM{i}" for i in "123456789¹²³"), *(f"LPT{i}" for i in "123456789¹²³")}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
# The longest title component, in UTF-8 bytes: the file name adds " - S02E05 [VOSTFR].mkv"
# and must stay under the 255-byte limit of ext4, NTFS and APFS.
TITLE_MAX_BYTES = 200
NAME_MAX_BYTES = 255
CHUNK = 1024 * 1024


class UnsafePath(ValueError):
    """A computed library path would fall outside DOWNLOAD_DIR."""


def _truncate_utf8(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", errors="ignore")


def safe_component(name: str, max_bytes: int = TITLE_MAX_BYTES, fallback: str = "Untitled",
                   *, keep_brackets: bool = False) -> str:
    """One path component that every common filesystem accepts (never '.', '..' or empty),
    with square brackets made parentheses: media servers read `[...]` as a release group's
    tag and drop it ("[Oshi no Ko]" would lose its whole title)."""
    text = unicodedata.normalize("NFC", name or "")
    text = _CONTROL.sub("", text)
    if not keep_brackets:
        text = text.replace("[", "(").replace("]", ")")
    text = text.replace(": ", " - ").replace(":", "-")
    text = re.sub(r"[/\\]", "-", text)
    text = text.replace('"', "'")
    text = re.sub(r"[<>|?*]", "", text)
    text = _SPACES.sub(" ", text).strip()
    # Leading dots hide files on Unix; trailing dots and spaces are dropped by Windows.
    text = text.lstrip(". ")
    text = _truncate_utf8(text, max_bytes).rstrip(". ")
    if not text:
        text = fallback
    if text.split(".")[0].strip().upper() in _RESERVED:
        text = "_" + text
    return text


def _episode_label(episode: float) -> str:
    number = float(episode)
    if number.is_integer():
        return f"{int(number):02d}"
    whole, frac = f"{number:.3f}".rstrip("0").split(".")
    return f"{int(whole):02d}.{frac}"


def episode_code(season: int, episode: float) -> str:
    """`S02E05` (`S01E12.5` for a half episode), as library file names spell it."""
    return f"S{max(int(season), 0):02d}E{_episode_label(episode)}"


def _extension(ext: str) -> str:
    clean = re.sub(r"[^a-z0-9]", "", (ext or "").lower().lstrip("."))[:5]
    return clean or "mp4"


def library_path(download_dir: Path, title: str, season: int, episode: float, ext: str,
                 lang: str, default_lang: str, episode_title: str | None = None) -> Path:
    """Where an episode goes in the library (SPEC §5), guaranteed inside `download_dir`.

    A special (season 0) with a name keeps it: `<Title> - S00E01 - Broly.mp4`.
    """
    root = Path(download_dir).resolve()
    safe_title = safe_component(title)
    legacy = safe_component(title, keep_brackets=True)
    if legacy != safe_title and (root / legacy).is_dir() and not (root / safe_title).exists():
        safe_title = legacy  # a show folder made before brackets became parentheses
    season = max(int(season), 0)
    folder = "Specials" if season == 0 else f"Season {season:02d}"
    suffix = ""
    if lang and default_lang and lang.lower() != default_lang.lower():
        suffix = f" [{safe_component(lang.upper(), 16, 'LANG')}]"
    stem = f"{safe_title} - {episode_code(season, episode)}"
    tail = f"{suffix}.{_extension(ext)}"
    if season == 0 and episode_title and episode_title.strip():
        # The special's name fills what the 255-byte file-name limit leaves, if anything.
        room = NAME_MAX_BYTES - len(f"{stem} - {tail}".encode())
        named = safe_component(episode_title, room, "") if room > 8 else ""
        stem = f"{stem} - {named}" if named else stem
    name = stem + tail
    final = (root / safe_title / folder / name).resolve()
    if not final.is_relative_to(root) or final == root:
        raise UnsafePath(f"The library path {final} is outside the download folder {root}.")
    return final


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some network filesystems refuse fsync on directories
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def same_content(a: Path, b: Path) -> bool:
    """True when both files have the same size and the same bytes (read in 1 MiB chunks)."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            block_a = fa.read(CHUNK)
            if block_a != fb.read(CHUNK):
                return False
            if not block_a:
                return True


def _free_name(final: Path) -> Path:
    for n in range(2, 1000):
        candidate = final.with_name(f"{final.stem} ({n}){final.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(f"Too many files named like {final}.")


def place_file(part: Path, final: Path) -> Path:
    """Move a finished part file to `final` durably and return where it now is.

    An identical file already at `final` is adopted (the part file is removed); a
    different one is never overwritten: the new file gets a " (2)" style name. An
    adopted part file is left where it is: the caller discards what its transfer left.
    """
    part, final = Path(part), Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        if same_content(part, final):
            return final
        final = _free_name(final)
    _fsync_file(part)
    try:
        os.replace(part, final)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        # The title folder is on another filesystem (a mount point): copy, then swap in.
        tmp = final.with_name(f".{final.name}.tmp")
        shutil.copyfile(part, tmp)
        _fsync_file(tmp)
        os.replace(tmp, final)
    _fsync_dir(final.parent)
    return final


PROVIDERS_BY_ID = {cls.id: cls for cls in PROVIDER_CLASSES}


def season_of(source: Source) -> int:
    """The season number of a source for library names (0: films, OAVs, specials)."""
    provider = PROVIDERS_BY_ID.get(source.provider_id)
    return provider.library_season(source.url) if provider is not None else 1


@dataclass(frozen=True)
class Placement:
    """Where one episode of a source goes: season folder, episode number, special's name."""

    season: int
    number: float
    name: str | None = None


def placement_of(source: Source, number: float) -> Placement:
    """The library place of episode `number` of `source`: the source's season and the
    number, unless the site filed it elsewhere (a named special of a regular season → S00)."""
    row = db.session.execute(
        select(SourceEpisode.title, SourceEpisode.library_season, SourceEpisode.library_number)
        .where(SourceEpisode.source_id == source.id, SourceEpisode.number == number)).first()
    return placement_from(source, number, row)


def placement_from(source: Source, number: float, row: Any) -> Placement:
    """`placement_of` for an episode row already read (`title`, `library_season`,
    `library_number`; None when the source does not list it)."""
    if row is not None and row.library_season is not None:
        return Placement(row.library_season, row.library_number
                         if row.library_number is not None else number, row.title)
    season = season_of(source)
    return Placement(season, number, row.title if row is not None and season == 0 else None)


def library_title(source: Source) -> str:
    """The source's title as the site gives it, else the first item's title."""
    if source.title and source.title.strip():
        return source.title.strip()
    first = db.session.scalar(
        select(WatchlistItem.anime_title)
        .where(WatchlistItem.source_id == source.id)
        .order_by(WatchlistItem.created_at, WatchlistItem.id)
        .limit(1))
    return first or f"Source {source.id}"


def default_lang(provider_id: str) -> str:
    """The provider's default language (files in another language get a suffix)."""
    provider = PROVIDERS_BY_ID.get(provider_id)
    return provider.default_lang if provider is not None else ""
