"""The provider registry: URL recognition, example URLs, mirrors from the site settings."""

from __future__ import annotations

import pytest

from webapp.infra.site_access import get_registry
from webapp.sites.providers.registry import build_registry, parse_mirrors
from webapp.sites.types import UrlError

REGISTRY = build_registry({})
EXAMPLES = [(p.id, url) for p in REGISTRY.providers for url in p.example_urls]


def test_every_provider_has_example_urls():
    assert {p.id for p in REGISTRY.providers} == {pid for pid, _url in EXAMPLES}


@pytest.mark.parametrize("provider_id, url", EXAMPLES)
def test_example_url_matches_its_own_provider_and_no_other(provider_id, url):
    provider = REGISTRY.get(provider_id)
    source = provider.normalise(url)
    assert source.key and source.lang
    if provider.generic:
        assert REGISTRY.for_url(url) is None  # no site provider claims it
        resolved, _ = REGISTRY.resolve(url, provider_id, None)
        assert resolved is provider
    else:
        assert REGISTRY.for_url(url) is provider
        assert REGISTRY.resolve(url, None, None)[1] == source
    for other in REGISTRY.providers:
        if other is provider or other.generic:
            continue
        assert not other.matches(url)
        with pytest.raises(UrlError):
            other.normalise(url)


@pytest.mark.parametrize("url", [
    "https://anime-sama.me/catalogue/frieren/saison1/vostfr/",  # a different site
    "https://notanime-sama.to/catalogue/frieren/saison1/vostfr/",
    "javascript:alert(1)", "ftp://anime-sama.to/catalogue/x/saison1/vostfr/",
])
def test_look_alike_and_non_http_urls_are_not_recognised(url):
    assert REGISTRY.for_url(url) is None
    with pytest.raises(UrlError):
        REGISTRY.resolve(url, "animesama", None)


def test_anime_sama_keeps_the_path_and_never_the_domain():
    provider, source = REGISTRY.resolve(
        "https://anime-sama.si/catalogue/Frieren/saison1/vostfr", None, "vf")
    assert provider.id == "animesama"
    assert (source.key, source.lang) == ("/catalogue/frieren/saison1/vf/", "vf")
    with pytest.raises(UrlError, match="season and a language"):
        provider.normalise("https://anime-sama.to/catalogue/frieren/")


def test_base_urls_and_mirrors_are_recognised():
    registry = build_registry({"BASE_URLS": {"animesama": "https://anime-sama.new"}},
                              {"animesama": ["as-mirror.example"]})
    animesama = registry.get("animesama")
    assert animesama.base_url == "https://anime-sama.new"
    for host in ("anime-sama.new", "as-mirror.example"):
        assert registry.for_url(f"https://{host}/catalogue/x/saison1/vostfr/") is animesama


def test_mirrors_setting_is_read_defensively():
    assert parse_mirrors('{"animesama": ["a.example", 3], "nekosama": "b.example,c.example"}') \
        == {"animesama": ["a.example"], "nekosama": ["b.example", "c.example"]}
    for junk in ("not json", "[1, 2]", "null", None, '{"animesama": 5}'):
        assert parse_mirrors(junk) == {}


def test_get_registry_uses_the_site_settings_mirrors(app):
    from webapp.extensions import db
    from webapp.infra.site_access import reset_registry
    from webapp.models import SiteSetting

    with app.app_context():
        assert get_registry() is get_registry()
        db.session.add(SiteSetting(key="mirrors", value='{"nekosama": ["neko.example"]}'))
        db.session.commit()
        reset_registry()
        registry = get_registry()
        assert registry.for_url("https://neko.example/anime/info/1-x_vostfr").id == "nekosama"
        db.session.get(SiteSetting, "mirrors").value = "{broken"
        db.session.commit()
        reset_registry()
        assert get_registry().for_url("https://neko.example/anime/info/1-x_vostfr") is None


def test_sites_try_tells_catalogue_pages_from_source_pages() -> None:
    from webapp.sites.providers.registry import build_registry

    registry = build_registry({})
    ultime, neko = registry.get("animeultime"), registry.get("nekosama")
    assert ultime.page_kind("http://www.anime-ultime.net/series-0-1/anime/0-") == ("search", "")
    assert ultime.page_kind("http://www.anime-ultime.net/file-0-1/1234/Nanoha") == (
        "season", None)
    assert neko.page_kind("https://neko-sama.fr/animes-search-vf.json") == ("search", "")
    assert registry.get("directory").page_kind("https://x.example/series-0-1/") == (
        "season", None)
