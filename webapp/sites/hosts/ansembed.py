"""AnsEmbed (`ansembed.net/embed-<id>.html`): anime-sama's Vidmoly white-label, JW Player → HLS.

One GET, no packer, no challenge (tests/fixtures/SOURCES.md Part 2 §1.1): the page runs
`var player = jwplayer("vplayer"); var playerInstance = player.setup({ sources: [{ file:
'…/master.m3u8?t=…&e=43200…' }], … })` — single quotes, the setup on its own line. The
signed master is short-lived, so it is resolved right before the download. A decoy
stream (a `/troll/` path, Big Buck Bunny) is not a video; `<h2>Sorry…` is a removed one.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.sites.hosts.vidmoly import MolyStack


@dataclass
class AnsEmbed(MolyStack):
    """ansembed.net: the JW Player master playlist of a Vidmoly-stack embed page."""

    id = "ansembed"
    name = "AnsEmbed"
    domains = ("ansembed.net",)
    rank = 1
