"""Turning fetched bytes into text: declared charset, else sniffed; never a crash."""

from __future__ import annotations

import codecs
import re

CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Browsers read these labels as windows-1252 (WHATWG Encoding), and so do we.
WINDOWS_1252_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii",
                       "ascii", "iso_8859-1", "cp819", "windows-1252", "cp1252"}


def declared_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header."""
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_text(content: bytes, content_type: str | None = None) -> str:
    """Decode a body: header charset, then <meta>/XML declaration, then UTF-8, then cp1252."""
    if content.startswith(codecs.BOM_UTF8):
        return content[3:].decode("utf-8", errors="replace")
    head = content[:4096]
    match = CHARSET_RE.search(head) or XML_ENCODING_RE.search(head)
    sniffed = match.group(1).decode("ascii", "ignore") if match else None
    codec = _codec(declared_charset(content_type)) or _codec(sniffed)
    if codec:
        return content.decode(codec, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")
