"""OneUpload (`oneupload.{net,to}/embed-<id>.html`): a JW Player whose file is an HLS master.

The page's `jwplayer(...).setup({sources: [{file: "…master.m3u8"}]})` (or a bare
`file:`) gives the playlist; playlist and segments want the OneUpload Referer. The HLS
engine picks the variant by quality preference.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.sites.hosts import patterns
from webapp.sites.hosts.common import EmbedHost


def jwplayer_media_url(text: str) -> str | None:
    """The first HLS (else any) file of a page's JW Player setup (else a quoted playlist or
    MP4 URL), decoys left out; or None."""
    return patterns.find_media(text, (patterns.jwplayer_files,))


@dataclass
class OneUpload(EmbedHost):
    """oneupload.net / oneupload.to: JW Player → HLS master playlist."""

    id = "oneupload"
    name = "OneUpload"
    domains = ("oneupload.net", "oneupload.to")
    rank = 1

    def find_media(self, text: str) -> str | None:
        """The JW Player file of the page (HLS first)."""
        return jwplayer_media_url(text)
