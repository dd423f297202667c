"""Reading a MyAnimeList XML export (plain or gzipped), safely.

The export is `<myanimelist><myinfo>…</myinfo><anime>…</anime>…</myanimelist>`; each
`<anime>` has `series_animedb_id`, `series_title`, `series_type`, `series_episodes`,
`my_watched_episodes` and `my_status` ("Watching", "Plan to Watch", … or the numeric codes
1 and 6 some tools write). See tests/fixtures/SOURCES.md "List imports".

The parser resolves no entity, reads no DTD and fetches nothing; a document with a DTD is
refused outright, and a gzipped body is inflated up to MAX_XML_BYTES only.
"""

from __future__ import annotations

import gzip
import io
import zlib

from lxml import etree

from webapp.errors import Invalid
from webapp.watchlist.imports.entries import (
    MAX_LIST_ENTRIES,
    PLAN_TO_WATCH,
    WATCHING,
    ListEntry,
    safe_int,
    unique_titles,
)

MAX_XML_BYTES = 64 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
STATUSES = {"watching": WATCHING, "1": WATCHING, "plan to watch": PLAN_TO_WATCH,
            "6": PLAN_TO_WATCH}


def _refuse(message: str) -> Invalid:
    return Invalid(message, [{"field": "body", "message": message}])


def inflate(body: bytes) -> bytes:
    """The XML of a body that may be gzipped (as MyAnimeList's export file is)."""
    if not body.startswith(GZIP_MAGIC):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            data = stream.read(MAX_XML_BYTES + 1)
    except (OSError, EOFError, zlib.error):
        raise _refuse("The gzip file is damaged; export the list again.") from None
    if len(data) > MAX_XML_BYTES:
        raise _refuse(f"The unpacked export is larger than {MAX_XML_BYTES // 2**20} MiB.")
    return data


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False, remove_pis=True)


def _text(node: etree._Element, tag: str) -> str:
    child = node.find(tag)
    return (child.text or "").strip() if child is not None else ""


def parse_mal_export(body: bytes) -> list[ListEntry]:
    """The "watching" and "plan to watch" anime of a MyAnimeList export; Invalid otherwise."""
    if not body or not body.strip():
        raise _refuse("The body is empty: send the XML file MyAnimeList exported.")
    try:
        root = etree.fromstring(inflate(body), _parser())
    except etree.XMLSyntaxError as exc:
        raise _refuse(f"This is not a well-formed XML document ({exc.msg}).") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise _refuse("XML documents with a DTD are not accepted.")
    if root.tag != "myanimelist":
        raise _refuse("This is not a MyAnimeList export (its root must be <myanimelist>).")
    if _text(root, "myinfo/user_export_type") == "2" or root.find("manga") is not None:
        raise _refuse("This is a manga list; export your anime list instead.")
    entries = []
    for anime in root.iterfind("anime"):
        status = STATUSES.get(_text(anime, "my_status").lower())
        title = _text(anime, "series_title")
        if status is None or not title:
            continue
        entries.append(ListEntry(
            title=title[:500], status=status, titles=unique_titles(title[:500]),
            progress=safe_int(_text(anime, "my_watched_episodes")),
            kind=_text(anime, "series_type").lower() or None,
            external_id=_text(anime, "series_animedb_id")[:32] or None))
    if len(entries) > MAX_LIST_ENTRIES:
        raise _refuse(f"The list has {len(entries)} anime to watch; at most "
                      f"{MAX_LIST_ENTRIES} can be imported at once.")
    return entries
