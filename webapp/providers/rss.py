"""rss: RSS 2.0 / Atom feeds whose items link media files directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from webapp.providers.generic import GenericProvider


@dataclass
class RssFeed(GenericProvider):
    """A feed whose items are the episodes."""

    id: ClassVar[str] = "rss"
    name: ClassVar[str] = "RSS/Atom feed"
    example_urls: ClassVar[tuple[str, ...]] = ()
