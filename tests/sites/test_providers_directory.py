"""Directory listings and RSS/Atom feeds against the fixture site; names to numbers."""

from __future__ import annotations

import pytest

from webapp.sites.providers.naming import episode_number, quality, season_number
from webapp.sites.types import LayoutChanged, SiteUnreachable, Unsupported


@pytest.mark.parametrize("name, number, quality_", [
    ("Show - 05 (1080p).mkv", 5, "1080p"),
    ("Show.S01E05.1080p.WEB.x264.mkv", 5, "1080p"),
    ("S01E05", 5, None),
    ("Show E05.mp4", 5, None),
    ("Show - 05v2.mkv", 5, None),
    ("[Group] Show - 05 [ABCD1234].mkv", 5, None),
    ("[SubsPlease] Some Show - 07 (1080p) [0A1B2C3D].mkv", 7, "1080p"),
    ("Hunter x Hunter 2011 - 12 [720p].mkv", 12, "720p"),
    ("Mob Psycho 100 - 04 (1920x1080).mkv", 4, "1080p"),
    ("86 - 03.mkv", 3, None),
    ("Show - 12.5 (480p).mkv", 12.5, "480p"),
    ("One Piece 1071 4K.mkv", 1071, "2160p"),
    ("Show%20-%2004.mkv", 4, None),
    ("readme.txt", None, None),
])
def test_names_to_episode_numbers_and_qualities(name, number, quality_):
    assert episode_number(name) == number
    assert quality(name) == quality_


def test_season_from_names():
    assert season_number("Show S02E05 720p.mkv") == 2
    assert season_number("Show - 05.mkv") is None


@pytest.mark.parametrize("path, expected_quality", [
    ("/dir/nginx/frieren/", "1080p"),
    ("/dir/nginx-json/frieren/", "720p"),
    ("/dir/apache/show/", "1080p"),
    ("/dir/python/show/", None),
])
def test_every_listing_shape(fixture_site, site_client, site_registry, path, expected_quality):
    directory = site_registry.get("directory")
    source = directory.normalise(fixture_site.url_for(path))
    listed = directory.fetch_episodes(site_client, source.key, source.lang)
    assert [e.number for e in listed.episodes] == [1, 2, 3]
    player = listed.episodes[0].players[0]
    assert player.kind == "file" and player.quality == expected_quality
    # the link is the href (nginx cuts long display names with "..>")
    with site_client.open_stream(player.url) as resp:
        assert resp.status_code == 200
    fixture_site.publish_episode(path)
    again = directory.fetch_episodes(site_client, source.key, source.lang, listed.validators)
    assert [e.number for e in again.episodes] == [1, 2, 3, 4]


def test_listing_304_and_versions(fixture_site, site_client, site_registry):
    directory = site_registry.get("directory")
    url = fixture_site.url_for("/dir/apache/show/")
    first = directory.fetch_episodes(site_client, url, "any")
    assert directory.fetch_episodes(site_client, url, "any", first.validators).not_modified
    fixture_site.add_show("directory", "/dir/python/versions/", "V", episodes=2,
                          options={"pattern": "Show - {n:02d}.mkv"})
    fixture_site.set_page("/dir/python/versions/", (
        '<ul><li><a href="Show%20-%2001.mkv">a</a></li><li><a href="Show%20-%2001v2.mkv">b</a>'
        '</li><li><a href="Show%20-%2002.m3u8">c</a></li><li><a href="../">up</a></li>'
        '<li><a href="?C=N;O=D">sort</a></li><li><a href="http://elsewhere.example/x.mkv">x</a>'
        "</li></ul>"))
    listed = directory.fetch_episodes(site_client, fixture_site.url_for("/dir/python/versions/"),
                                      "any")
    assert [[p.url.rsplit("/", 1)[-1] for p in e.players] for e in listed.episodes] == [
        ["Show%20-%2001v2.mkv", "Show%20-%2001.mkv"], ["Show%20-%2002.m3u8"]]
    assert listed.episodes[1].players[0].kind == "hls"


def test_listing_failures(fixture_site, site_client, site_registry):
    directory = site_registry.get("directory")
    url = fixture_site.url_for("/dir/nginx/frieren/")
    fixture_site.break_layout("/dir/")
    with pytest.raises(LayoutChanged, match="not a directory listing"):
        directory.fetch_episodes(site_client, url, "any")
    fixture_site.clear_rules()
    fixture_site.fail("/dir/", status=502)
    with pytest.raises(SiteUnreachable):
        directory.fetch_episodes(site_client, url, "any")


def test_allowed_hosts_limit_the_generic_providers(fixture_site, site_client):
    from tests.fixture_site import site_config
    from webapp.sites.providers.registry import build_registry
    from webapp.sites.types import FetchFailed, UrlError

    registry = build_registry(site_config(fixture_site, DIRECTORY_ALLOWED_HOSTS="files.example"))
    directory = registry.get("directory")
    with pytest.raises(UrlError, match="not allowed"):
        directory.normalise(fixture_site.url_for("/dir/nginx/frieren/"))
    with pytest.raises(FetchFailed, match="not one of this source's hosts"):
        directory.fetch_episodes(site_client, fixture_site.url_for("/dir/nginx/frieren/"), "any")


@pytest.mark.parametrize("path, expected", [
    ("/feeds/rss/show.xml", "1080p"), ("/feeds/atom/show.xml", "720p")])
def test_feeds_with_direct_media(fixture_site, site_client, site_registry, path, expected):
    rss = site_registry.get("rss")
    url = fixture_site.url_for(path)
    listed = rss.fetch_episodes(site_client, url, "any")
    assert [e.number for e in listed.episodes] == [1, 2, 3]
    player = listed.episodes[2].players[0]
    assert player.kind == "file" and player.quality == expected
    assert player.url.startswith(fixture_site.url + "/media/")
    assert rss.fetch_episodes(site_client, url, "any", listed.validators).not_modified


def test_torrent_only_feed_is_clearly_unsupported(fixture_site, site_client, site_registry):
    with pytest.raises(Unsupported, match="torrent downloads are not supported yet"):
        site_registry.get("rss").fetch_episodes(
            site_client, fixture_site.url_for("/feeds/torrent/show.xml"), "any")


def _served_feed(fixture_site, site_client, site_registry, path, body,
                 content_type="application/xml"):
    """Serve `body` as the feed at `path` on the fixture site and list it."""
    fixture_site.set_page(path, body, content_type=content_type)
    return site_registry.get("rss").fetch_episodes(site_client, fixture_site.url_for(path),
                                                   "any")


def test_mixed_feed_keeps_the_usable_items(fixture_site, site_client, site_registry):
    listed = _served_feed(fixture_site, site_client, site_registry, "/feeds/mixed.xml", (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Mixed</title>'
        "<item><title>Show - 01 (720p)</title><link>magnet:?xt=urn:btih:1</link></item>"
        '<item><title>Show - 02 (720p)</title><enclosure url="/media/Show%20-%2002.mkv" '
        'type="video/x-matroska" length="1"/></item></channel></rss>'),
        content_type="application/rss+xml")
    assert [e.number for e in listed.episodes] == [2] and listed.title == "Mixed"


@pytest.mark.parametrize("body", ["<html><body>not a feed</body></html>", "\x00\x01garbage"])
def test_not_a_feed_is_a_layout_change(fixture_site, site_client, site_registry, body):
    with pytest.raises(LayoutChanged, match="RSS or Atom"):
        _served_feed(fixture_site, site_client, site_registry, "/feeds/bad.xml", body)


def test_external_entities_are_never_resolved(fixture_site, site_client, site_registry):
    listed = _served_feed(fixture_site, site_client, site_registry, "/feeds/xxe.xml", (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><title>T&x;</title><item><title>&x;Show - 01</title>"
        '<enclosure url="/media/a.mkv" type="video/x-matroska"/></item></channel></rss>'))
    assert [e.number for e in listed.episodes] == [1]
    assert "root:" not in (listed.title or "") + (listed.episodes[0].players[0].label or "")


def test_oversized_and_private_pages_are_clear_errors(fixture_site, site_client, site_registry,
                                                      redis_conn):
    from webapp.sites.http.client import HttpClient
    from webapp.sites.types import FetchFailed

    directory = site_registry.get("directory")
    fixture_site.huge_page("/dir/huge/", 50 * 1024 * 1024)
    with pytest.raises(FetchFailed, match="larger than 5 MB"):
        directory.fetch_episodes(site_client, fixture_site.url_for("/dir/huge/"), "any")
    no_private = HttpClient(redis_conn, rate_per_host=0)  # ALLOW_PRIVATE_HOSTS unset
    with pytest.raises(FetchFailed, match="private or local address"):
        directory.fetch_episodes(no_private, fixture_site.url_for("/dir/nginx/frieren/"), "any")
