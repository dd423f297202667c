"""Judging a download by its first bytes: a video container's magic number, or a web page.

Servers mislabel files: nginx without `mime.types` sends an unknown extension such as
`.mkv` as `text/plain`. So the first bytes decide: a known container is a video whatever
type the server claims; an HTML page is never one; other bytes are trusted only when the
claimed type is not a text type. Shared by the HTTP and HLS engines.
"""

from __future__ import annotations

from webapp.downloading.engines.base import NotAVideo

# How many first bytes the judgement needs (MPEG-TS: a second sync byte at 188).
HEAD_BYTES = 1024
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/json",
              "text/xml", "application/xml", "text/javascript")
MP4_BOXES = (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide")
WEB_PAGE_STARTS = (b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")
TS_PACKET = 188


def container_of(head: bytes) -> str | None:
    """The container the bytes start with ("mkv", "mp4", "ts", "avi", "flv", ...), or None."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "mkv"  # EBML: Matroska and WebM
    if head[4:8] in MP4_BOXES:
        return "mp4"
    if head[:1] == b"\x47" and head[TS_PACKET:TS_PACKET + 1] == b"\x47":
        return "ts"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "wmv"  # ASF
    if head.startswith(b"\x00\x00\x01\xba"):
        return "mpg"  # MPEG program stream
    return None


def looks_like_web_page(head: bytes) -> bool:
    """Whether the bytes are an HTML (or XML) page, leading whitespace allowed."""
    sample = head[:HEAD_BYTES].lstrip().lower()
    return sample.startswith(WEB_PAGE_STARTS) or (sample.startswith(b"<")
                                                  and b"<html" in sample)


def judge(head: bytes, content_type: str = "") -> str | None:
    """The sniffed container, or None for unknown bytes of a non-text type.

    Raises NotAVideo for a web page, and for unknown bytes the server calls text.
    """
    container = container_of(head)
    if container is not None:
        return container
    if looks_like_web_page(head):
        raise NotAVideo("not a video: the link answered a web page, not a file.")
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in TEXT_TYPES:
        raise NotAVideo(f"not a video: the link answered a web page ({ctype}), not a file.")
    return None
