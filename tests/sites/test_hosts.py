"""Video hosts: each host's fixture page, served locally, resolves to its media URL and headers.

The player URLs use the hosts' real domains; config BASE_URLS points each host at a local
fixture server (as `<ID>_BASE_URL` does in production), which also checks the headers a
real host insists on (Vidmoly's iframe fetch and wait token). The hosts anime-sama
embeds in 2026 are in test_hosts_2026.py and test_hosts_embed4me.py; the generic reader
of unknown hosts and the player order in test_hosts_generic.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.wrappers import Request, Response

from tests.fixtures.hosts.pages import VIDEO, fixture, page
from tests.fixtures.hosts.servers import FIXTURES, RangeFile, StaticTree, serve
from webapp.sites.hosts.oneupload import jwplayer_media_url
from webapp.sites.hosts.packed import packed_media_url
from webapp.sites.hosts.registry import resolve_player
from webapp.sites.hosts.sendvid import sendvid_video_url
from webapp.sites.hosts.sibnet import sibnet_video_path
from webapp.sites.hosts.vidmoly import wait_token
from webapp.sites.http.client import HttpClient
from webapp.sites.types import HostError, HostUnavailable, MediaGone, Player


@pytest.fixture
def http() -> HttpClient:
    return HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0)


# --- parsing the fixture pages ------------------------------------------------------------


def test_pages_parse_to_their_media_urls() -> None:
    assert sibnet_video_path(fixture("sibnet", "shell.html")) == \
        "/v/1d5f2c9a8b7e3f60a1b2c3d4e5f60718/4242.mp4"
    mp4 = "https://videos2.sendvid.com/ab/cd/8xq2mzka.mp4"
    assert sendvid_video_url(fixture("sendvid", "embed_source.html")).startswith(mp4 + "?valid")
    assert sendvid_video_url(fixture("sendvid", "embed_var.html")) == mp4
    assert sendvid_video_url(fixture("sendvid", "embed_og.html")) == mp4
    assert jwplayer_media_url(fixture("vidmoly", "embed.html")) == \
        "https://box-1134-t.vmeas.cloud/hls/xqx2o7d3,mba,.urlset/master.m3u8"
    assert jwplayer_media_url(fixture("oneupload", "embed.html")).startswith(
        "https://s3.oneupload.net/hls2/01/00123/3kq0y1zb9w4e_,n,.urlset/master.m3u8?t=Qx7")
    assert packed_media_url(fixture("packed", "embed.html")) == \
        "/stream/Xq9zP2kL/hjkrhuihghfvu/1735689600/48213/master.m3u8"
    assert wait_token(fixture("vidmoly", "wait.html")) == "9f86d081884c7d659a2feaa0c55ad015"
    assert wait_token(fixture("vidmoly", "embed.html")) is None


# --- resolving through local servers ------------------------------------------------------


def test_sibnet_removed_video_is_media_gone(http) -> None:
    tree = StaticTree(FIXTURES, {"/shell.php": page("sibnet/removed.html")})
    with serve(tree) as base:
        with pytest.raises(MediaGone, match="removed from Sibnet"):
            resolve_player(http, Player("https://video.sibnet.ru/shell.php?videoid=1"),
                           {"BASE_URLS": {"sibnet": base}})


@pytest.mark.parametrize("name", ["embed_source.html", "embed_var.html", "embed_og.html"])
def test_sendvid_each_page_shape(http, name) -> None:
    with serve(StaticTree(FIXTURES, {})) as base:
        tree = StaticTree(FIXTURES, {"/embed/8xq2mzka": page(
            f"sendvid/{name}", {"https://videos2.sendvid.com": base,
                               r"https:\/\/videos2.sendvid.com": base.replace("/", r"\/")})})
        with serve(tree) as host_base:
            media = resolve_player(http, Player("https://sendvid.com/embed/8xq2mzka"),
                                   {"BASE_URLS": {"sendvid": host_base}})
    assert media.url.startswith(f"{base}/ab/cd/8xq2mzka.mp4")
    assert media.kind == "file"
    assert media.headers["Referer"] == host_base + "/"
    assert media.headers["Origin"] == host_base


def test_vidmoly_wait_page_answered_with_its_token(http) -> None:
    asked: list[dict[str, str]] = []

    def embed(request: Request) -> Response:
        asked.append({"g": request.args.get("g", ""),
                      "dest": request.headers.get("Sec-Fetch-Dest", ""),
                      "referer": request.headers.get("Referer", "")})
        if request.args.get("g") == "9f86d081884c7d659a2feaa0c55ad015" and \
                request.headers.get("Sec-Fetch-Dest") == "iframe":
            return page("vidmoly/embed.html")(request)
        return page("vidmoly/wait.html")(request)

    tree = StaticTree(FIXTURES, {"/embed-k2xq9w0d1jzv.html": embed})
    with serve(tree) as base:
        media = resolve_player(
            http, Player("https://vidmoly.to/embed-k2xq9w0d1jzv.html",
                           headers=(("Referer", "https://anime-sama.tv/"),)),
            {"BASE_URLS": {"vidmoly": base}})
    assert media.kind == "hls" and media.host == "vidmoly"
    assert media.url.endswith("/master.m3u8")
    assert media.headers["Referer"] == base + "/"
    assert [a["g"] for a in asked] == ["", "9f86d081884c7d659a2feaa0c55ad015"]
    assert all(a["dest"] == "iframe" and a["referer"] == "https://anime-sama.tv/"
               for a in asked)


def test_vidmoly_that_keeps_waiting_is_unavailable_not_empty(http) -> None:
    tree = StaticTree(FIXTURES, {"/embed-x.html": page("vidmoly/wait.html")})
    with serve(tree) as base:
        with pytest.raises(HostUnavailable, match="Please wait") as info:
            resolve_player(http, Player("https://vidmoly.net/embed-x.html"),
                           {"BASE_URLS": {"vidmoly": base}})
    assert info.value.retryable
    assert len(tree.seen) == 3  # the page, then two reloads with the token


def test_oneupload_jwplayer_master_playlist(http) -> None:
    tree = StaticTree(FIXTURES, {"/embed-3kq0y1zb9w4e.html": page("oneupload/embed.html")})
    with serve(tree) as base:
        media = resolve_player(http, Player("https://oneupload.to/embed-3kq0y1zb9w4e.html"),
                               {"BASE_URLS": {"oneupload": base}})
    assert media.kind == "hls"
    assert media.url.startswith("https://s3.oneupload.net/hls2/")
    assert media.headers["Referer"] == base + "/"


@pytest.mark.parametrize("host_id,domain", [("smoothpre", "smoothpre.com"),
                                            ("movearnpre", "movearnpre.com"),
                                            ("mivalyo", "mivalyo.com")])
def test_packed_js_hosts_unpack_to_master_playlist(http, host_id, domain) -> None:
    tree = StaticTree(FIXTURES, {"/embed/x7q2": page("packed/embed.html")})
    with serve(tree) as base:
        media = resolve_player(http, Player(f"https://{domain}/embed/x7q2"),
                               {"BASE_URLS": {host_id: base}})
    assert media.url == f"{base}/stream/Xq9zP2kL/hjkrhuihghfvu/1735689600/48213/master.m3u8"
    assert media.kind == "hls" and media.host == host_id
    assert media.headers["Referer"] == base + "/"


def test_host_errors_say_what_happened(http) -> None:
    tree = StaticTree(FIXTURES, {"/down": lambda r: Response("busy", 503),
                                 "/embed-blank.html": lambda r: Response("<html></html>")})
    with serve(tree) as base:
        config = {"BASE_URLS": {"oneupload": base}}
        with pytest.raises(MediaGone, match="gone from OneUpload"):
            resolve_player(http, Player("https://oneupload.net/missing.html"), config)
        with pytest.raises(HostUnavailable, match="503"):
            resolve_player(http, Player("https://oneupload.net/down"), config)
        with pytest.raises(HostError, match="No video found on the OneUpload page") as info:
            resolve_player(http, Player("https://oneupload.net/embed-blank.html"), config)
    assert not info.value.retryable


def test_direct_players_pass_through(http) -> None:
    config: dict = {}
    media = resolve_player(http, Player("https://cdn.example.org/Show - 01.mkv", kind="file",
                                          headers=(("Referer", "https://x/"),)), config)
    assert (media.url, media.kind, media.headers) == (
        "https://cdn.example.org/Show - 01.mkv", "file", {"Referer": "https://x/"})
    assert resolve_player(http, Player("http://www.anime-ultime.net/stream-42.mp4"),
                          config).kind == "file"
    assert resolve_player(http, Player("https://h.example/live/master.m3u8"),
                          config).kind == "hls"


def test_unknown_host_the_generic_reader_misses_goes_to_ytdlp(http, tmp_path: Path) -> None:
    """A schema.org VideoObject names no player setup nor a .mp4/.m3u8 URL: yt-dlp's
    JSON-LD reading finds it."""
    cdn = RangeFile(VIDEO)

    def watch(request: Request) -> Response:
        ld = ('{"@context": "https://schema.org", "@type": "VideoObject", "name": "Episode 5",'
              f' "contentUrl": "{request.host_url}media/stream?id=5",'
              ' "uploadDate": "2026-01-01", "thumbnailUrl": "https://x.example/5.jpg"}')
        html = ('<html><head><title>Episode 5</title><script type="application/ld+json">'
                f'{ld}</script></head><body><div id="player"></div></body></html>')
        return Response(html, content_type="text/html")

    tree = StaticTree(FIXTURES, {"/watch/5": watch, "/media/stream": lambda r: cdn})
    with serve(tree) as base:
        media = resolve_player(http, Player(f"{base}/watch/5"), {})
    assert media.url == f"{base}/media/stream?id=5"
    assert media.kind == "file"
    # Read once by the generic reader (nothing found), once by yt-dlp (found).
    assert [path for path, _ in tree.seen].count("/watch/5") == 2


def test_unknown_page_without_video_is_a_host_error(http) -> None:
    tree = StaticTree(FIXTURES, {"/nothing": lambda r: Response(
        "<html><body>nothing here</body></html>", content_type="text/html")})
    with serve(tree) as base:
        with pytest.raises(HostError, match="unsupported URL"):
            resolve_player(http, Player(f"{base}/nothing"), {})


def test_ytdlp_fallback_refuses_private_addresses() -> None:
    """yt-dlp's requests go through HttpClient: a loopback page is refused by default."""
    strict = HttpClient(None, rate_per_host=0, retries=0)
    tree = StaticTree(FIXTURES, {})
    with serve(tree) as base:
        with pytest.raises(HostError, match="(?i)private|loopback|not allowed|may not"):
            resolve_player(strict, Player(f"{base}/watch/5"), {})
    assert tree.seen == []
