"""The hosts anime-sama embeds in 2026 (tests/fixtures/SOURCES.md Part 2): each one's fixture
page, served locally under the host's configured base URL, resolves to a video that the
download engines then fetch byte for byte (HLS: the variant's very frames).

AnsEmbed and Vidmoly (§1), Uqload (§3), Minochinos (§4), anime-sama's own MP4s (§5) and
Sibnet as it answers in 2026 (§6). Embed4me (§2) is in test_hosts_embed4me.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.wrappers import Request, Response

from tests.fixtures.hosts.pages import (
    VIDEO,
    assert_same_video,
    fixture,
    packed_page,
    page,
)
from tests.fixtures.hosts.servers import FIXTURES, RangeFile, StaticTree, serve
from tests.helpers import free_port
from webapp.downloading.engines.transfer import transfer
from webapp.sites.hosts.registry import resolve_player
from webapp.sites.http.client import HttpClient
from webapp.sites.types import HostError, HostUnavailable, MediaGone, MediaSource, Player

ANSEMBED_CDN = "https://prx-1328-ant.vmget.online/hls2/01/00001/abc123def456_,l,n,.urlset"
UQLOAD_MASTER = "https://m180.uqload.is/hls2/01/01234/abcdefgh1234_n/master.m3u8"
UQLOAD_MP4 = "https://m180.uqload.is/3rfkqbvmx5yzc7d2ihlg4nw6a8eosjp1tu0rk9f3hx2mz5qcya/v.mp4"


@pytest.fixture
def http() -> HttpClient:
    return HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0)


def fetch(http: HttpClient, media: MediaSource, tmp_path: Path, name: str = "1.part") -> Path:
    """Download `media` with the engines (480p: the fixture's 160x90 HLS variant)."""
    result = transfer(http, media, tmp_path / name, lambda *a: None, max_bytes=10**9,
                      should_stop=lambda: False, quality_preference="480p")
    return Path(result.path)


def html(text: str) -> Response:
    return Response(text, content_type="text/html; charset=utf-8")


def media_requests(tree: StaticTree, prefix: str = "/hls/") -> list[tuple[str, dict]]:
    return [(path, headers) for path, headers in tree.seen if path.startswith(prefix)]


# --- AnsEmbed and Vidmoly (§1) ---------------------------------------------------------------


def test_ansembed_page_to_hls_download(http, tmp_path) -> None:
    tree = StaticTree(FIXTURES)
    with serve(tree) as base:
        tree.routes["/embed-abc123def456.html"] = page(
            "ansembed/embed.html", {ANSEMBED_CDN: f"{base}/hls"})
        media = resolve_player(http, Player("https://ansembed.net/embed-abc123def456.html"),
                               {"BASE_URLS": {"ansembed": base}})
        assert (media.kind, media.host) == ("hls", "ansembed")
        assert media.url == (f"{base}/hls/master.m3u8?t=Zx81lP0q9v&s=1760000000&e=43200&v="
                             "&srv=bck-1350-ant-w&i=0.4&sp=0&asn=4771")
        assert media.headers == {"Referer": base + "/", "Origin": base}
        output = fetch(http, media, tmp_path)
    assert_same_video(output, "160x90", tmp_path)
    assert [p for p, _ in media_requests(tree) if p.endswith(".ts")] == [
        "/hls/160x90/seg0.ts", "/hls/160x90/seg1.ts", "/hls/160x90/seg2.ts"]


def test_ansembed_sorry_page_is_a_removed_video(http) -> None:
    tree = StaticTree(FIXTURES, {"/embed-abc123def456.html": page("ansembed/sorry.html")})
    with serve(tree) as base, pytest.raises(MediaGone, match="removed from AnsEmbed"):
        resolve_player(http, Player("https://ansembed.net/embed-abc123def456.html"),
                       {"BASE_URLS": {"ansembed": base}})


def test_ansembed_decoy_stream_is_no_video(http) -> None:
    tree = StaticTree(FIXTURES, {"/embed-abc123def456.html": page("ansembed/decoy.html")})
    with serve(tree) as base, pytest.raises(HostError, match="only offers a decoy") as info:
        resolve_player(http, Player("https://ansembed.net/embed-abc123def456.html"),
                       {"BASE_URLS": {"ansembed": base}})
    assert not isinstance(info.value, MediaGone) and not info.value.retryable


def test_ansembed_placeholder_of_an_unreleased_episode_is_gone(http) -> None:
    with serve(StaticTree(FIXTURES)) as base, pytest.raises(MediaGone, match="404"):
        resolve_player(http, Player("https://ansembed.net/embed-.html"),
                       {"BASE_URLS": {"ansembed": base}})


@pytest.mark.parametrize("player", ["https://vidmoly.to/w/k2xq9w0d1jzv",
                                    "https://vidmoly.net/v/k2xq9w0d1jzv",
                                    "https://vidmoly.me/embed-k2xq9w0d1jzv.html"])
def test_vidmoly_urls_are_read_as_the_biz_embed_page(http, player) -> None:
    tree = StaticTree(FIXTURES, {"/embed-k2xq9w0d1jzv.html": page("vidmoly/embed.html")})
    with serve(tree) as base:
        media = resolve_player(http, Player(player), {"BASE_URLS": {"vidmoly": base}})
    assert media.host == "vidmoly" and media.url.endswith("/master.m3u8")
    assert [path for path, _ in tree.seen] == ["/embed-k2xq9w0d1jzv.html"]


def test_vidmoly_sorry_page_is_a_removed_video(http) -> None:
    tree = StaticTree(FIXTURES, {"/embed-gone0000.html": page("ansembed/sorry.html")})
    with serve(tree) as base, pytest.raises(MediaGone, match="removed from Vidmoly"):
        resolve_player(http, Player("https://vidmoly.to/w/gone0000"),
                       {"BASE_URLS": {"vidmoly": base}})


# --- Uqload (§3) -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/embed-abcdefgh1234.html", "/e/abcdefgh1234"])
def test_uqload_packed_page_to_hls_download_with_its_referer(http, tmp_path, path) -> None:
    tree = StaticTree(FIXTURES)
    with serve(tree) as base:
        tree.routes[path] = lambda r: html(packed_page("uqload",
                                                       {UQLOAD_MASTER: f"{base}/hls/master.m3u8"}))
        assert "master.m3u8" not in tree.routes[path](None).get_data(as_text=True)
        media = resolve_player(http, Player(f"https://uqload.is{path}"),
                               {"BASE_URLS": {"uqload": base}})
        assert (media.kind, media.host) == ("hls", "uqload")
        assert media.url.startswith(f"{base}/hls/master.m3u8?t=Bq7xRk2mZ1")
        output = fetch(http, media, tmp_path)
    assert_same_video(output, "160x90", tmp_path)
    requests = media_requests(tree)
    assert requests and all(h.get("Referer") == base + "/" and h.get("Origin") == base
                            for _, h in requests)
    assert "Referer" not in tree.seen[0][1]  # the embed page is asked for without one


def test_uqload_legacy_page_to_mp4_download(http, tmp_path) -> None:
    cdn = RangeFile(VIDEO)
    with serve(cdn) as cdn_base:
        tree = StaticTree(FIXTURES, {"/embed-abcdefgh1234.html": page(
            "uqload/legacy.html", {UQLOAD_MP4: f"{cdn_base}/3rfk/v.mp4"})})
        with serve(tree) as base:
            cdn.required_headers = {"Referer": base + "/", "Origin": base}
            media = resolve_player(http, Player("https://uqload.co/embed-abcdefgh1234.html"),
                                   {"BASE_URLS": {"uqload": base}})
            assert (media.url, media.kind) == (f"{cdn_base}/3rfk/v.mp4", "file")
            output = fetch(http, media, tmp_path)
    assert output.read_bytes() == VIDEO


def test_uqload_redirect_to_its_home_page_is_video_not_found(http) -> None:
    tree = StaticTree(FIXTURES, {
        "/embed-gone12345678.html": lambda r: Response("", 302, {"Location": "/"}),
        "/": lambda r: html("<html><body><h1>Uqload</h1></body></html>")})
    with serve(tree) as base, pytest.raises(MediaGone, match="not found on Uqload"):
        resolve_player(http, Player("https://uqload.is/embed-gone12345678.html"),
                       {"BASE_URLS": {"uqload": base}})


# --- Minochinos / VidHide (§4) ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v/AbC123", "/e/AbC123", "/embed/AbC123", "/f/AbC123",
                                  "/d/AbC123"])
def test_minochinos_links_to_hls_download(http, tmp_path, path) -> None:
    tree = StaticTree(FIXTURES)
    stream = "/stream/AbC123/kjhgfdsa/1760000000/48213/master.m3u8"
    tree.routes.update({
        "/v/AbC123": lambda r: html(packed_page("minochinos")),
        "/e/AbC123": lambda r: html(packed_page("minochinos")),
        "/embed/AbC123": lambda r: html(packed_page("minochinos")),
        stream: lambda r: Response((FIXTURES / "hls" / "master.m3u8").read_text().replace(
            "160x90/", "/hls/160x90/").replace("320x180/", "/hls/320x180/"),
            content_type="application/vnd.apple.mpegurl")})
    with serve(tree) as base:
        media = resolve_player(http, Player(f"https://minochinos.com{path}"),
                               {"BASE_URLS": {"minochinos": base}})
        assert (media.kind, media.host) == ("hls", "minochinos")
        assert media.url == f"{base}{stream}?t=x"  # hls4, relative to the embed origin
        assert media.headers["Referer"] == base + "/"
        output = fetch(http, media, tmp_path)
    assert_same_video(output, "160x90", tmp_path)
    assert tree.seen[0][0] in ("/v/AbC123", "/e/AbC123", "/embed/AbC123")


# --- anime-sama's own MP4s (§5) --------------------------------------------------------------


def test_animesama_cdn_mp4_with_the_sites_referer(http, tmp_path) -> None:
    cdn = RangeFile(VIDEO, required_headers={"Referer": "https://anime-sama.to/"})
    with serve(cdn) as base:
        url = "https://s22.anime-sama.to/videos/Blue%20Lock/VF/Blue_Lock_1_VF.mp4"
        media = resolve_player(http, Player(url), {"BASE_URLS": {"animesama_cdn": base}})
        assert media.url == f"{base}/videos/Blue%20Lock/VF/Blue_Lock_1_VF.mp4"
        assert (media.kind, media.host) == ("file", "animesama_cdn")
        output = fetch(http, media, tmp_path)
    assert output.read_bytes() == VIDEO
    probe, whole = cdn.requests
    assert probe["headers"].get("Range") == "bytes=0-0" and "Range" not in whole["headers"]


def test_animesama_cdn_unreachable_is_unavailable(http) -> None:
    with pytest.raises(HostUnavailable, match="could not be resolved"):
        resolve_player(http, Player("https://s22.anime-sama.invalid/videos/X/VF/X_1_VF.mp4"),
                       {})
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(HostUnavailable, match="anime-sama"):
        resolve_player(http, Player("https://s22.anime-sama.fr/videos/X/VF/X_1_VF.mp4"),
                       {"BASE_URLS": {"animesama_cdn": closed}})
    cdn = StaticTree(FIXTURES)
    with serve(cdn) as base, pytest.raises(MediaGone, match="404"):
        resolve_player(http, Player("https://s22.anime-sama.si/videos/X/VF/X_9_VF.mp4"),
                       {"BASE_URLS": {"animesama_cdn": base}})


# --- Sibnet in 2026 (§6) ---------------------------------------------------------------------


def sibnet_server(cdn_port: list[int]) -> StaticTree:
    """shell.php in windows-1251; 400 without a browser User-Agent; /v/ 403 without a Sibnet
    Referer, else 302 to a protocol-relative `//host:port/…` CDN URL."""
    def browser_only(route):  # noqa: ANN001, ANN202
        def check(request: Request) -> Response:
            if "Mozilla/5.0" not in request.headers.get("User-Agent", ""):
                return Response("<html><body>400 Bad Request</body></html>", 400,
                                content_type="text/html")
            return route(request)
        return check

    def video(request: Request) -> Response:
        if "/shell.php" not in request.headers.get("Referer", ""):
            return Response("Forbidden", 403, content_type="text/plain")
        location = f"//127.0.0.1:{cdn_port[0]}/41/23/45/4123456.mp4?st=Qm9&e=1760003600&noip=1"
        return Response("", 302, {"Location": location})

    return StaticTree(FIXTURES, {
        "/shell.php": browser_only(page("sibnet/shell.html", charset="windows-1251")),
        "/v/1d5f2c9a8b7e3f60a1b2c3d4e5f60718/4242.mp4": browser_only(video)})


def test_sibnet_shell_to_mp4_through_a_protocol_relative_redirect(http, tmp_path) -> None:
    cdn = RangeFile(VIDEO)
    port: list[int] = []
    tree = sibnet_server(port)
    with serve(cdn) as cdn_base, serve(tree) as base:
        port.append(int(cdn_base.rsplit(":", 1)[1]))
        config = {"BASE_URLS": {"sibnet": base}}
        shell = http.fetch_page(f"{base}/shell.php?videoid=4242")
        assert shell.headers["Content-Type"] == "text/html; charset=windows-1251"
        assert 'content="Наруто Ураганные хроники 1 серия VOSTFR"' in shell.text
        media = resolve_player(http, Player("https://video.sibnet.ru/shell.php?videoid=4242"),
                               config)
        assert media.url == f"{base}/v/1d5f2c9a8b7e3f60a1b2c3d4e5f60718/4242.mp4"
        assert media.headers["Referer"] == f"{base}/shell.php?videoid=4242"
        output = fetch(http, media, tmp_path)
    assert output.read_bytes() == VIDEO
    assert cdn.requests[0]["path"] == "/41/23/45/4123456.mp4"


def test_sibnet_refuses_a_client_without_browser_headers(http, tmp_path) -> None:
    port = [free_port()]
    tree = sibnet_server(port)
    with serve(tree) as base:
        bot = HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0,
                         user_agent="python-requests/2.32")
        with pytest.raises(HostError, match="400"):
            resolve_player(bot, Player("https://video.sibnet.ru/shell.php?videoid=4242"),
                           {"BASE_URLS": {"sibnet": base}})
        stripped = MediaSource(f"{base}/v/1d5f2c9a8b7e3f60a1b2c3d4e5f60718/4242.mp4")
        with pytest.raises(Exception, match="403"):
            fetch(http, stripped, tmp_path)


def test_only_video_sibnet_ru_is_sibnet() -> None:
    from webapp.sites.hosts.registry import host_for

    assert host_for("https://video.sibnet.ru/shell.php?videoid=1").id == "sibnet"
    assert host_for("https://sibnet.ru/shell.php?videoid=1") is None
    assert "Наруто" in fixture("sibnet", "shell.html")
