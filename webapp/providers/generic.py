"""Shared URL rules of the generic providers (directory listings, RSS/Atom feeds)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

from webapp.providers.base import NormalisedUrl, Provider, UrlError

LANG_RE = re.compile(r"^[a-z0-9-]{1,16}$")


@dataclass
class GenericProvider(Provider):
    """A provider for any allowed host: the full URL is the source key."""

    generic: ClassVar[bool] = True
    langs: ClassVar[tuple[str, ...]] = ()
    default_lang: ClassVar[str] = "any"

    def normalise(self, url: str, lang: str | None = None) -> NormalisedUrl:
        """Keep the URL (fragment dropped, host lower-cased)."""
        url = self._require_host(url)
        parts = urlsplit(url)
        clean = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                            parts.query, ""))
        lang = (lang or self.default_lang).lower()
        if not LANG_RE.match(lang):
            raise UrlError("A language code is 1–16 letters, digits or dashes.")
        return NormalisedUrl(key=clean, lang=lang, display_url=clean)
