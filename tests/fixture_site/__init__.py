"""A local stand-in for every provider site, for tests (one threaded werkzeug server).

Use the `fixture_site` pytest fixture (registered in tests/conftest.py), or run it alone
for end-to-end tests: `python -m tests.fixture_site --port 8765`.

What it serves (`site.url` is e.g. http://127.0.0.1:40123; point the providers at it with
ANIMESAMA_BASE_URL / NEKOSAMA_BASE_URL / ANIMEULTIME_BASE_URL = site.url and
ANIMESAMA_PORTAL_BASE_URL = site.url + "/portal/"; allow it with ALLOW_PRIVATE_HOSTS):

- anime-sama: `/` (home), `/portal/` (portal whose button links to the current domain),
  `/catalogue/?search=q`, `POST /template-php/defaut/fetch.php` (query=q),
  `/catalogue/<slug>/` (hub), `/catalogue/<slug>/<season>/<lang>/` and its `episodes.js`.
- neko-sama: `/animes-search-vostfr.json`, `/animes-search-vf.json`,
  `/anime/info/<id>-<slug>_<lang>`, `/anime/episode/<id>-<slug>-<NN>_<lang>`.
- anime-ultime (ISO-8859-1): `/series-0-1/anime/0-`, `/file-0-1/<id>/<slug>`,
  `/info-0-1/<episode id>/<slug>`, `/stream-<id>.mp4`, `POST /ddl/authorized_download.php`
  (answers `{"auth": false, "wait": site.ddl_wait}` until that many seconds passed since
  the first POST for the file, then the link), `/ddl/<id>/orig/<file>`.
- video hosts (hosts.py; their base URLs are on the site in `site_config`): Sibnet's
  `/shell.php` and `/v/…`, Embed4me's `/api/v1/video`, AnsEmbed's `/embed-<id>.html`, and
  the HLS stream they play at `/hls/<token>/…`.
- directory listings: `/dir/nginx/<name>/`, `/dir/nginx-json/<name>/`, `/dir/apache/<name>/`,
  `/dir/python/<name>/` and the files in them (Range supported).
- feeds: `/feeds/rss/<name>.xml` (RSS 2.0 enclosures), `/feeds/atom/<name>.xml` (Atom
  rel=enclosure), `/feeds/torrent/<name>.xml` (nyaa-like: .torrent and magnet links),
  media at `/media/<file>`.

The seeded shows are in state.py (`seed_shows()`); `site.shows[key]` is a `Show` whose
`episodes` count drives every page. Generated pages carry an ETag and, for shows, a
Last-Modified, and answer 304 to matching conditional requests (`site.validators = False`
turns that off).

Control API (Python; the standalone server takes the same calls as
`POST /_control/<name>` with JSON keyword arguments, answering `{"result": ...}`):

- `publish_episode(key, count=1)` / `set_episodes(key, episodes, placeholders=None)`
- `add_show(provider, key, title, episodes=3, **Show fields)`
- `fail(prefix, status=500, times=None, retry_after=None)`: paths starting with `prefix`
  answer `status` (`times` answers, then normal; None = until cleared)
- `slow(prefix, seconds, times=None)`: sleep before answering (a timeout for the client)
- `challenge(prefix, status=403, times=None)`: a Cloudflare "Just a moment..." page
- `break_layout(prefix="/")`: a redesigned page without the markup parsers expect
- `set_page(path, body, status=200, content_type=..., headers=None)`: exact answer
- `huge_page(path, size=50 MB, declare_length=True)`: a streamed oversized page
- `move()` -> new origin: a second server on `http://localhost:<port>`; every request to
  the old one gets a 302 to the same path there; `unmove()` stops that
- `clear_rules()`, `reset()` (back to the seed), `reset_counts()`
- `hits(path)` -> requests received for a path; `requests_for(path)` -> RequestRecord
  list (monotonic time, method, query, headers); `site.requests` holds them all.
- attributes: `ddl_wait` (seconds), `media_size` (bytes), `portal_target` (URL).

Two more fixtures build on it: `site_client`, a real HttpClient on the test's Redis tuned
for tests (loopback allowed, no pacing, 0.5 s read timeout, one quick retry), and
`site_registry`, the provider registry with every site provider's base URL on the site.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixture_site.server import FixtureSite, RequestRecord
from tests.fixture_site.state import Show


@pytest.fixture
def fixture_site() -> Iterator[FixtureSite]:
    """A started FixtureSite on a free port of 127.0.0.1, stopped after the test."""
    site = FixtureSite().start()
    try:
        yield site
    finally:
        site.stop()


def site_config(site: FixtureSite, **extra: Any) -> dict[str, Any]:
    """App config entries pointing every site provider at the fixture site."""
    hosts = ("sibnet", "embed4me", "ansembed")  # the video hosts served by hosts.py
    return {"BASE_URLS": {"animesama": site.url, "nekosama": site.url,
                          "animeultime": site.url, "animesama_portal": site.url + "/portal/",
                          **{host: site.url for host in hosts}},
            "ALLOW_PRIVATE_HOSTS": "127.0.0.0/8,::1", **extra}


@pytest.fixture
def site_client(redis_conn: Any) -> Any:
    """A real HttpClient on the test Redis: loopback allowed, fast timeouts and retries."""
    from webapp.sites.http.client import HttpClient

    return HttpClient(redis_conn, allow_private="127.0.0.0/8,::1", rate_per_host=0,
                      timeout=(1.0, 0.5), retries=1, backoff=0.01, max_retry_after=2.0)


@pytest.fixture
def site_registry(fixture_site: FixtureSite) -> Any:
    """The provider registry with the site providers' base URLs on the fixture site."""
    from webapp.sites.providers.registry import build_registry

    return build_registry(site_config(fixture_site))


def provider_fixture(provider_id: str) -> Any:
    """A fixture named `provider_id`: that provider of `site_registry` (module level:
    `nekosama = provider_fixture("nekosama")`)."""

    @pytest.fixture(name=provider_id)
    def _provider(site_registry: Any) -> Any:
        return site_registry.get(provider_id)

    return _provider


__all__ = ["FixtureSite", "RequestRecord", "Show", "fixture_site", "provider_fixture",
           "site_client", "site_config", "site_registry"]
