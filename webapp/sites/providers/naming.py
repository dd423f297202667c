"""Episode numbers, seasons and qualities read from release names and file names.

Handles `Show - 05 (1080p).mkv`, `[Group] Show - 05 [CRC].mkv`, `Show.S01E05.mkv`,
`Show E05.mp4`, `Show - 05v2.mkv`, `Episode 12.5`; resolutions, codecs, CRCs and years
are never taken for episode numbers.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

MEDIA_EXTENSIONS = (".mkv", ".mp4", ".avi", ".webm", ".m4v", ".mov", ".ts", ".m3u8", ".flv",
                    ".wmv", ".ogm", ".mpg", ".mpeg")
NUMBER = r"(\d{1,4}(?:\.\d{1,2})?)"
BRACKETS_RE = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
SEASON_EPISODE_RE = re.compile(r"(?<![a-z0-9])s(\d{1,2})[ ._-]?e" + NUMBER + r"(?:v\d+)?", re.I)
EPISODE_WORD_RE = re.compile(
    r"(?<![a-z0-9])(?:e|ep|ep\.|eps|episode|épisode)[ ._-]?" + NUMBER + r"(?:v\d+)?(?![0-9])",
    re.I)
DASH_NUMBER_RE = re.compile(r"(?:^|\s)[-–]\s+" + NUMBER + r"(?:v\d+)?(?=$|[\s._-])", re.I)
BARE_NUMBER_RE = re.compile(r"(?<![a-z0-9.])" + NUMBER + r"(?:v\d+)?(?![0-9a-z]|\.\d)", re.I)
QUALITY_RE = re.compile(r"(?<![0-9])(2160|1440|1080|720|576|540|480|360)[pi](?![a-z0-9])", re.I)
DIMENSIONS_RE = re.compile(r"(?<![0-9])\d{3,4}x(2160|1440|1080|720|576|540|480|360)(?![0-9])",
                           re.I)
NOISE_RE = re.compile(r"(?<![a-z0-9])(?:[xh]\.?26[45]|hevc|avc|aac\d?(?:\.\d)?|flac|ac3|"
                      r"10bits?|8bits?|\d{3,4}[pi]|4k|uhd|fhd|web(?:-?dl|rip)?|bd(?:rip)?|"
                      r"blu-?ray|dual|multi|vostfr|vf)(?![a-z0-9])", re.I)
YEAR_RE = re.compile(r"^(?:19|20)\d\d$")


def strip_extension(name: str) -> str:
    """The name without a media file extension."""
    lower = name.lower()
    for ext in MEDIA_EXTENSIONS:
        if lower.endswith(ext):
            return name[: -len(ext)]
    return name


def clean_name(name: str) -> str:
    """A release/file name decoded, without extension, separators made spaces."""
    name = strip_extension(unquote(name).strip().rstrip("/"))
    if " " not in name and name.count(".") >= 2:
        # Show.S01E05.1080p -> Show S01E05 1080p, but Show.12.5 keeps its decimal.
        name = re.sub(r"(?<!\d)\.|\.(?!\d{1,2}(?!\d))", " ", name)
    return name.replace("_", " ")


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def episode_number(name: str) -> float | None:
    """The episode number in a release or file name, or None when there is none."""
    text = clean_name(name)
    match = SEASON_EPISODE_RE.search(text)
    if match:
        return _number(match.group(2))
    bare = BRACKETS_RE.sub(" ", text)
    for regex in (EPISODE_WORD_RE, DASH_NUMBER_RE):
        match = regex.search(bare)
        if match:
            return _number(match.group(1))
    bare = NOISE_RE.sub(" ", bare)
    candidates = [m.group(1) for m in BARE_NUMBER_RE.finditer(bare)
                  if not YEAR_RE.match(m.group(1))]
    return _number(candidates[-1]) if candidates else None


def season_number(name: str) -> int | None:
    """The season of an `S02E05`-style name, else None."""
    match = SEASON_EPISODE_RE.search(clean_name(name))
    return int(match.group(1)) if match else None


def quality(name: str) -> str | None:
    """`1080p`-style quality from a name (`1920x1080` too; `4K` is 2160p)."""
    text = unquote(name)
    match = QUALITY_RE.search(text) or DIMENSIONS_RE.search(text)
    if match:
        return f"{match.group(1)}p"
    if re.search(r"(?<![a-z0-9])(?:4k|uhd)(?![a-z0-9])", text, re.I):
        return "2160p"
    return None


def is_media_name(name: str) -> bool:
    """Whether a file name looks like a video file."""
    return unquote(name.split("?")[0]).lower().endswith(MEDIA_EXTENSIONS)
