"""Where embed pages name their video: the patterns players share, as pure text functions.

Each function takes a page (or a script) and returns the media URLs it names, in page
order, as written (possibly relative or protocol-relative). The shapes are those that
scrapers of these hosts rely on (tests/fixtures/SOURCES.md Part 2 §7.1): a JW Player setup
(`sources: [{file: …}]` with any quoting, or `sources: ["…"]`), a bare `file: "…"`,
Video.js `player.src(...)`, `<video>`/`<source src>`, `og:video`, VidHide's
`var links={…}`, and quoted `.m3u8`/`.mp4` URLs anywhere. Packed scripts
(`eval(function(p,a,c,k,e,d)…)`) are unpacked with yt-dlp's `decode_packed_codes`.
Decoys (a "troll" stream, Big Buck Bunny samples) are never a video.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

from bs4 import BeautifulSoup
from yt_dlp.utils import PACKED_CODES_RE, decode_packed_codes, js_to_json

_PACKER_START = re.compile(r"eval\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,")
_JW_SOURCES = re.compile(r"""\bsources["']?\s*:\s*\[(?P<body>.*?)\]""", re.DOTALL)
_QUOTED = r"""(?P<q>["'])(?P<url>(?:(?!(?P=q)).)+?)(?P=q)"""
_FILE = re.compile(r"""["']?\b(?:file|src)["']?\s*:\s*""" + _QUOTED)
_STRING_ENTRY = re.compile(r"""^\s*""" + _QUOTED)
_LABEL = re.compile(r"""["']?\blabel["']?\s*:\s*(?P<q>["'])(?P<label>.*?)(?P=q)""")
_BARE_FILE = re.compile(r"""["']?\bfile["']?\s*:\s*""" + _QUOTED)
_VIDEOJS_SRC = re.compile(r"""\.src\(\s*(?P<arg>\[.*?\]|\{.*?\}|["'][^"']+["'])\s*\)""",
                          re.DOTALL)
_LINKS = re.compile(r"""\bvar\s+links\s*=\s*(?P<obj>\{.*?\})\s*;""", re.DOTALL)
_LINKS_ORDER = re.compile(r"""\bfile\s*:\s*(?P<expr>links\.\w+(?:\s*\|\|\s*links\.\w+)*)""")
_MEDIA_URL = re.compile(
    r"""(?P<q>["'])(?P<url>(?:https?:)?//[^"'\s<>]+?\.(?P<ext>m3u8|mp4)(?:\?[^"'\s<>]*)?)(?P=q)""",
    re.IGNORECASE)
_DECOY = re.compile(r"(?i)/troll/|bigbuckbunny|big_buck_bunny|(?:^|[/_.-])bbb_|"
                    r"test-videos\.co\.uk")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_OG_VIDEO = ("og:video:secure_url", "og:video:url", "og:video")


def _clean(url: str) -> str:
    return url.strip().replace("\\/", "/").replace("&amp;", "&")


def is_decoy(url: str) -> bool:
    """Whether a stream URL is a known decoy (a "troll" or Big Buck Bunny sample)."""
    return bool(_DECOY.search(url))


def _decode_packed(chunk: str) -> str:
    """yt-dlp's decode_packed_codes, with JavaScript's ASCII-only word boundaries: its
    Unicode `\\w` would glue a packed word to a neighbouring "é" and leave it encoded."""
    ascii_chunk = re.sub(r"[^\x00-\x7f]", "\x00", chunk)
    payload = re.search(PACKED_CODES_RE, chunk)
    others = [ch for ch in (payload.group(1) if payload else "") if ord(ch) > 127]
    code = decode_packed_codes(ascii_chunk)
    restored = iter(others)
    return re.sub("\x00", lambda _m: next(restored, ""), code)


def unpacked_scripts(text: str) -> list[str]:
    """Every p.a.c.k.e.r script of a page, unpacked, in page order (damaged ones skipped)."""
    starts = [m.start() for m in _PACKER_START.finditer(text)]
    found = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = text[start:end].replace("\x00", "")
        if not re.search(PACKED_CODES_RE, chunk):
            continue
        try:
            code = _decode_packed(chunk)
        except (ValueError, IndexError, AttributeError):
            continue
        found.append(re.sub(r"\\(['\"\\])", r"\1", code))
    return found


def scripts_of(text: str) -> list[str]:
    """The page (HTML comments left out: commented-out players are not the video), then
    its unpacked scripts: where to look for a player setup."""
    page = _HTML_COMMENT.sub("", text)
    return [page, *unpacked_scripts(page)]


def jwplayer_sources(text: str) -> list[tuple[str, str | None]]:
    """(file URL, label) of each JW Player source (`sources: [{file: …}]` or `["…"]`)."""
    found: list[tuple[str, str | None]] = []
    for block in _JW_SOURCES.finditer(text):
        for entry in re.split(r"\}\s*,\s*\{|,(?=\s*[\"'])", block["body"]):
            match = _FILE.search(entry) or _STRING_ENTRY.search(entry)
            if match and not match["url"].startswith("links."):
                label = _LABEL.search(entry)
                found.append((_clean(match["url"]), label["label"] if label else None))
    return found


def source_label(text: str, url: str) -> str | None:
    """The label a player setup of the page gives the source `url` (e.g. "1080p"), if any."""
    wanted = _clean(url)
    return next((label for script in scripts_of(text)
                 for found, label in jwplayer_sources(script) if found == wanted and label),
                None)


def jwplayer_files(text: str) -> list[str]:
    """The JW Player sources, else every bare `file: "…"` of the script."""
    return [u for u, _ in jwplayer_sources(text)] or \
        [_clean(m["url"]) for m in _BARE_FILE.finditer(text)]


def videojs_sources(text: str) -> list[str]:
    """URLs given to a Video.js player: `player.src([{src: …}])`, `.src({…})`, `.src("…")`."""
    found = []
    for match in _VIDEOJS_SRC.finditer(text):
        arg = match["arg"]
        if arg[0] in "\"'":
            found.append(_clean(arg[1:-1]))
        else:
            found.extend(_clean(m["url"]) for m in _FILE.finditer(arg))
    return found


def html5_sources(text: str) -> list[str]:
    """`<video src>` and `<source src>` inside a `<video>`, then the `og:video` metas."""
    if "<video" not in text and "og:video" not in text:
        return []
    soup = BeautifulSoup(text, "lxml")
    found = [str(tag["src"]) for video in soup.find_all("video")
             for tag in [video, *video.find_all("source")] if tag.get("src")]
    for prop in _OG_VIDEO:
        meta = soup.find("meta", attrs={"property": prop})
        if meta is not None and meta.get("content"):
            found.append(str(meta["content"]))
    return [_clean(u) for u in found]


def links_sources(text: str) -> list[str]:
    """VidHide's `var links={"hls4": …, "hls3": …, "hls2": …}`, in the order the player's
    `file: links.hls4||links.hls3||links.hls2` tries them (empty entries skipped)."""
    match = _LINKS.search(text)
    if match is None:
        return []
    try:
        links = json.loads(js_to_json(match["obj"]))
    except ValueError:
        return []
    if not isinstance(links, dict):
        return []
    order = _LINKS_ORDER.search(text)
    keys = re.findall(r"links\.(\w+)", order["expr"]) if order else []
    keys += sorted((k for k in links if k not in keys), reverse=True)  # hls4, hls3, hls2
    return [_clean(links[k]) for k in keys if isinstance(links.get(k), str) and links[k].strip()]


def media_urls(text: str) -> list[str]:
    """Every quoted absolute (or protocol-relative) `.m3u8` URL, then every `.mp4` one."""
    text = text.replace("\\/", "/")
    found = [(m["ext"].lower(), _clean(m["url"])) for m in _MEDIA_URL.finditer(text)]
    return [u for ext in ("m3u8", "mp4") for e, u in found if e == ext]


STRUCTURED: tuple[Callable[[str], list[str]], ...] = (
    jwplayer_files, links_sources, videojs_sources, html5_sources)
_NOT_MEDIA = re.compile(r"(?i)\.(?:vtt|srt|ass|jpe?g|png|gif|webp|js|css|html?)$")


def is_usable(url: str) -> bool:
    """Whether a found URL may be the video: not empty, no subtitle/image/page, no decoy."""
    path = re.split(r"[?#]", url, maxsplit=1)[0]
    return bool(url) and not _NOT_MEDIA.search(path) and not is_decoy(url)


def first_usable(urls: Iterable[str]) -> str | None:
    """The first of `urls` that may be the video (see `is_usable`)."""
    return next((u for u in urls if is_usable(u)), None)


def candidates(text: str, finders: Iterable[Callable[[str], list[str]]] = STRUCTURED
               ) -> list[str]:
    """Every media URL of a page, best first: what a player setup names (in the page, then
    in its unpacked scripts; HLS before files for each), then bare quoted media URLs."""
    scripts = scripts_of(text)
    found: list[str] = []
    for script in scripts:
        for finder in finders:
            found.extend(sorted(finder(script), key=lambda u: ".m3u8" not in u.lower()))
    for script in scripts:
        found.extend(media_urls(script))
    return [u for u in dict.fromkeys(found) if is_usable(u)]


def find_media(text: str, finders: Iterable[Callable[[str], list[str]]] = STRUCTURED
               ) -> str | None:
    """The best media URL of a page (see `candidates`), or None."""
    return next(iter(candidates(text, finders)), None)
