"""RSS feeds that link torrents only (nyaa's shapes) are reported, never listed as empty."""

from __future__ import annotations

import pytest

from tests.fixture_site import provider_fixture
from webapp.sites.types import Unsupported

NYAA = "/feeds/nyaa/frieren.xml"
TORRENTS_SENTENCE = r"only offers torrent or magnet links \(3 items\); torrent downloads " \
                    r"are not supported yet"

rss = provider_fixture("rss")


def _nyaa_show(fixture_site, links: str) -> str:
    fixture_site.add_show("rss", NYAA, "frieren", episodes=3,
                          options={"pattern": "[SubGroup] Sousou no Frieren - {n:02d} (1080p) "
                                              "[ABCD{n:04d}].mkv", "links": links})
    return fixture_site.url_for(NYAA)


@pytest.mark.parametrize("links, shape", [
    ("query", "/?page=download&amp;tid=0000003</link>"),
    ("path", "/download/0000003</link>"),
    ("view", "/view/0000003</link>"),  # only the nyaa:infoHash names the torrent
])
def test_nyaa_feeds_are_reported_as_torrent_only(fixture_site, site_client, rss, links, shape):
    url = _nyaa_show(fixture_site, links)
    with site_client.open_stream(url) as resp:
        body = resp.text
    assert shape in body and "<nyaa:infoHash>" in body  # the served feed has that shape
    with pytest.raises(Unsupported, match=TORRENTS_SENTENCE):
        rss.fetch_episodes(site_client, url, "any")


def test_magnet_and_torrent_file_feed_is_still_reported(fixture_site, site_client, rss):
    with pytest.raises(Unsupported, match="torrent downloads are not supported yet"):
        rss.fetch_episodes(site_client, fixture_site.url_for("/feeds/torrent/show.xml"), "any")


def test_mixed_nyaa_feed_lists_only_the_media_items(fixture_site, site_client, rss):
    item = ('<item><title>Show - {n:02d} (1080p)</title><link>{link}</link>'
            '<guid isPermaLink="true">https://nyaa.example/view/{n}</guid>{extra}</item>')
    items = [
        item.format(n=1, link="https://nyaa.example/?page=download&amp;tid=1", extra=""),
        item.format(n=2, link="https://nyaa.example/download/2", extra=""),
        item.format(n=3, link="https://nyaa.example/view/3",
                    extra="<nyaa:infoHash>0123456789abcdef0123456789abcdef01234567"
                          "</nyaa:infoHash>"),
        item.format(n=4, link="https://nyaa.example/?page=download&amp;tid=4",
                    extra='<enclosure url="/media/Show%20-%2004.mkv" length="1" '
                          'type="video/x-matroska"/>'
                          "<nyaa:infoHash>0123456789abcdef0123456789abcdef01234567"
                          "</nyaa:infoHash>"),
        item.format(n=5, link="/media/Show%20-%2005%20(1080p).mkv", extra=""),
    ]
    fixture_site.set_page("/feeds/mixed-nyaa.xml", (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:nyaa="https://nyaa.si/xmlns/nyaa"><channel><title>Mixed</title>'
        + "".join(items) + "</channel></rss>"), content_type="application/rss+xml")
    listed = rss.fetch_episodes(site_client, fixture_site.url_for("/feeds/mixed-nyaa.xml"),
                                "any")
    assert [e.number for e in listed.episodes] == [4, 5]
    assert [e.players[0].url for e in listed.episodes] == [
        fixture_site.url + "/media/Show%20-%2004.mkv",
        fixture_site.url + "/media/Show%20-%2005%20(1080p).mkv"]


def test_a_feed_of_direct_files_keeps_working(fixture_site, site_client, rss):
    listed = rss.fetch_episodes(site_client, fixture_site.url_for("/feeds/rss/show.xml"), "any")
    assert [e.number for e in listed.episodes] == [1, 2, 3]
    with site_client.open_stream(listed.episodes[0].players[0].url) as resp:
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("video/")
