"""directory: any HTTP directory listing (nginx/Apache autoindex, python http.server)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from webapp.providers.generic import GenericProvider


@dataclass
class DirectoryListing(GenericProvider):
    """An HTTP directory whose files are the episodes."""

    id: ClassVar[str] = "directory"
    name: ClassVar[str] = "HTTP directory"
    example_urls: ClassVar[tuple[str, ...]] = ()
