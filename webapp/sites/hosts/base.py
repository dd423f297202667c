"""The video-host contract: an embed/player URL in, a media URL and the headers it needs out.

Each host is one module with a `Host` subclass: `domains` it recognises (base URL
configurable through `<ID>_BASE_URL`, so a fixture server can stand in), and
`resolve(client, url, headers)` fetching the embed page through webapp.sites.http.client.HttpClient
and returning a `MediaSource`. Hosts know nothing of Flask or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from webapp.sites.types import MediaSource


@dataclass
class Host:
    """Base class of the video hosts."""

    id: ClassVar[str] = ""
    domains: ClassVar[tuple[str, ...]] = ()
    default_base_url: ClassVar[str] = ""

    base_url: str | None = None

    def matches(self, url: str) -> bool:
        """Whether this host handles the URL."""
        raise NotImplementedError

    def resolve(self, client: Any, url: str, headers: dict[str, str]) -> MediaSource:
        """Turn the player URL into a media URL plus the headers it needs."""
        raise NotImplementedError
