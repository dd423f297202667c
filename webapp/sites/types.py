"""The values that cross from sites/ into the app's stages.

What providers return and raise (players, episodes, episode lists, anime info, their
errors, `UrlError`) and what hosts return and raise (`MediaSource`, `HostError`s).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class ProviderError(Exception):
    """A provider could not do what was asked; `str(exc)` is a sentence for a person."""

    kind = "error"
    retryable = False


class SiteUnreachable(ProviderError):
    """The site did not answer (DNS, connection refused, timeout, 5xx)."""

    kind = "unreachable"
    retryable = True


class SiteBlocked(ProviderError):
    """An anti-bot/challenge page (Cloudflare "Just a moment", 403 WAF) came back instead."""

    kind = "blocked"
    retryable = True


class LayoutChanged(ProviderError):
    """The page no longer has the shape the parser expects (never reported as 0 episodes)."""

    kind = "layout_changed"


class AnimeRemoved(ProviderError):
    """The anime (or this language/season) is gone from the site (404/410)."""

    kind = "removed"


class Unsupported(ProviderError):
    """Something the provider recognises but cannot handle (e.g. torrent-only feed items)."""

    kind = "unsupported"


class FetchFailed(ProviderError):
    """The page may not or cannot be fetched: URL refused, too large, endless redirects."""

    kind = "fetch_failed"


class SiteMoved(FetchFailed):
    """The site redirected to a host outside its known ones; `location` is where."""

    kind = "moved"

    def __init__(self, message: str, location: str) -> None:
        super().__init__(message)
        self.location = location


@dataclass(frozen=True)
class Player:
    """One way to get an episode: an embed page on a video host, or a direct file/HLS URL.

    `kind` is "embed" (resolve through webapp.sites.hosts), "file" (direct HTTP file), "hls", or
    "page": a provider's episode page that lists the real players (neko-sama), turned
    into them by `registry.for_url(url).expand_player(client, player)` at download time.
    `headers` are extra request headers the URL needs (e.g. a Referer).
    """

    url: str
    kind: str = "embed"
    quality: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    label: str | None = None

    def to_dict(self) -> dict:
        return {"url": self.url, "kind": self.kind, "quality": self.quality,
                "headers": dict(self.headers), "label": self.label}

    @classmethod
    def from_dict(cls, data: dict) -> Player:
        return cls(url=data["url"], kind=data.get("kind", "embed"),
                   quality=data.get("quality"),
                   headers=tuple(sorted((data.get("headers") or {}).items())),
                   label=data.get("label"))


@dataclass(frozen=True)
class Episode:
    """An episode a source lists now (released: placeholders are never included).

    `number` orders and identifies the episode within its source (a special the site
    slots between episodes 3 and 4 gets 3.01, 3.02…). `library_season`/`library_number`,
    when set, say where the file goes instead of (source season, number): a named
    special of a regular season goes to S00 with its own number (`Specials/`).
    """

    number: float
    players: tuple[Player, ...]
    title: str | None = None
    special: bool = False
    library_season: int | None = None
    library_number: float | None = None


@dataclass(frozen=True)
class AnimeInfo:
    """What the site says about an anime (for search results, detail pages and names)."""

    title: str
    url: str
    provider_id: str
    alt_titles: tuple[str, ...] = ()
    poster_image: str | None = None
    synopsis: str | None = None
    genres: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    seasons: tuple[tuple[str, str], ...] = ()  # (label, url)


@dataclass(frozen=True)
class Conditional:
    """Validators from the previous fetch, sent as If-None-Match / If-Modified-Since."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class EpisodeList:
    """The result of fetching one source.

    `not_modified` is True when the server answered 304 to a conditional request: then
    `episodes` is empty and means nothing (keep what the database has). Otherwise
    `episodes` is every released episode, in number order. `season` is the season number
    for library names (0 for films/OAVs/specials, 1 when the site has no seasons).
    """

    episodes: tuple[Episode, ...] = ()
    not_modified: bool = False
    title: str | None = None
    season: int = 1
    validators: Conditional = Conditional()


@dataclass(frozen=True)
class HubSeasons:
    """The seasons an anime's page (hub) lists now, in page order, as (name, source key)
    (films and OAVs too); `not_modified`: a 304, empty. `finished`: True when the page says
    the anime is finished (no more episodes coming), False when it says it is still
    airing, None when it says neither."""

    seasons: tuple[tuple[str, str], ...] = ()
    title: str | None = None
    not_modified: bool = False
    validators: Conditional = Conditional()
    finished: bool | None = None


@dataclass(frozen=True)
class RecentEpisode:
    """A source a site's "recently added" page names: its key, language, what it says of
    the episode and when it came out (naive UTC; None when the page does not say)."""

    key: str
    lang: str
    label: str | None = None
    released_at: datetime | None = None


@dataclass(frozen=True)
class RecentList:
    """A site's recently added episodes, newest first (`not_modified`: a 304, empty)."""

    entries: tuple[RecentEpisode, ...] = ()
    not_modified: bool = False
    validators: Conditional = Conditional()


@dataclass(frozen=True)
class ScheduledRelease:
    """A season a site's planning says airs weekly: weekday (0 = Monday) and time in the
    site's time zone (`hour` None: unknown), and whether this week's episode is
    postponed."""

    key: str
    lang: str
    weekday: int
    hour: int | None
    minute: int = 0
    postponed: bool = False
    title: str = ""


class UrlError(ValueError):
    """A URL that the provider cannot use; the message is shown to the user."""


class HostError(Exception):
    """A player could not be resolved; `retryable` says whether trying later may help."""

    retryable = False


class HostUnavailable(HostError):
    """The host did not answer, or answered with an error or a wait page."""

    retryable = True


class MediaGone(HostError):
    """The video was removed or the embed is a placeholder."""


class HostLayoutChanged(HostError):
    """The host's page answered but without anything the parser knows (its layout changed)."""


@dataclass(frozen=True)
class MediaSource:
    """A fetchable media URL: `kind` "file" (HTTP, Range-resumable) or "hls" (a playlist)."""

    url: str
    kind: str = "file"
    headers: dict[str, str] = field(default_factory=dict)
    quality: str | None = None
    host: str = ""
