"""Small text helpers shared by the providers: search matching, HTML bits, JSON in scripts."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from bs4 import BeautifulSoup, Tag


def fold(text: str | None) -> str:
    """Lower-case, accents removed, punctuation as spaces: for matching a search query."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def matches_query(query: str, *titles: str | None) -> bool:
    """Every word of the query appears in one of the titles (empty query: everything)."""
    words = fold(query).split()
    haystacks = [fold(t) for t in titles if t]
    return any(all(w in h for w in words) for h in haystacks) if words else True


def js_value(text: str, name: str) -> Any:
    """The JSON literal assigned to `var <name> = ...` in a page, or None when absent.

    Raises ValueError when the assignment is there but not valid JSON.
    """
    match = re.search(r"\b(?:var|let|const)\s+" + re.escape(name) + r"\s*=\s*", text)
    if match is None:
        return None
    value, _end = json.JSONDecoder().raw_decode(text, match.end())
    return value


def node_text(node: Tag | None) -> str | None:
    """Stripped text of a node ('' and None give None)."""
    text = node.get_text(" ", strip=True) if node is not None else ""
    return text or None


def meta(soup: BeautifulSoup, prop: str) -> str | None:
    """content of <meta property=prop> or <meta name=prop>."""
    node = soup.find("meta", attrs={"property": prop}) or soup.find("meta", attrs={"name": prop})
    value = node.get("content") if isinstance(node, Tag) else None
    return value.strip() if isinstance(value, str) and value.strip() else None
