"""The generic reader of unknown hosts (tests/fixtures/SOURCES.md Part 2 §7), the patterns the
host modules share (packed scripts unpacked by yt-dlp's decode_packed_codes), and the
order in which an episode's players are tried."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from tests.fixtures.hosts.packer import pack
from tests.fixtures.hosts.pages import VIDEO, fixture, packed_page
from tests.fixtures.hosts.servers import FIXTURES, RangeFile, StaticTree, serve
from webapp.downloading.engines.transfer import transfer
from webapp.sites.hosts import patterns
from webapp.sites.hosts.registry import order_players, resolve_player
from webapp.sites.hosts.ytdlp import ytdlp_knows
from webapp.sites.http.client import HttpClient
from webapp.sites.types import HostError, Player

SCRIPT = ("var links={\"hls2\":\"/stream/AbC/master.m3u8\"};jwplayer(\"vplayer\").setup("
          "{sources:[{file:links.hls2,type:\"hls\"}],title:'L\\'épisode 12',n:" +
          ",".join(str(i) for i in range(150)) + "});")


@pytest.fixture
def http() -> HttpClient:
    return HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0)


# --- packed scripts ------------------------------------------------------------------------


@pytest.mark.parametrize("radix", [10, 36, 62])
def test_packed_script_round_trip(radix: int) -> None:
    packed = pack(SCRIPT, radix=radix)
    assert "master.m3u8" not in packed
    assert patterns.unpacked_scripts(f"<script>{packed}</script>") == [SCRIPT]


def test_several_packed_scripts_on_a_page_and_damaged_ones() -> None:
    first, second = pack('var a="/x/master.m3u8";'), pack('var b="/y/v.mp4";')
    broken = "eval(function(p,a,c,k,e,d){return p}('0 1',2,2,'x'))"  # no word list split
    page = (f"<script>{first}</script>\n<script>{broken}</script><p>text</p>"
            f"<script>{second}</script>")
    assert patterns.unpacked_scripts(page) == ['var a="/x/master.m3u8";', 'var b="/y/v.mp4";']
    assert patterns.unpacked_scripts("var a = 1; eval(x)") == []


# --- the patterns --------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ('var player = jwplayer("v");\nvar p = player.setup({\n  sources: [{ file: \'https://c/a/'
     'master.m3u8?t=1\' }],\n  image: "https://c/i.jpg"});', "https://c/a/master.m3u8?t=1"),
    ('jwplayer("v").setup({sources:[{"file":"https:\\/\\/c\\/b.mp4","label":"720p"},'
     '{file:"https://c/b.m3u8"}]})', "https://c/b.m3u8"),
    ("var p = videojs('v'); p.src([{src: \"/v/ab/1.mp4\", type: \"video/mp4\"}]);", "/v/ab/1.mp4"),
    ("player.src('https://c/s/ep.m3u8');", "https://c/s/ep.m3u8"),
    ('<video controls><source src="/media/e.mp4" type="video/mp4"></video>', "/media/e.mp4"),
    ('<meta property="og:video:secure_url" content="https://c/og.mp4">', "https://c/og.mp4"),
    ('var links={"hls4":"","hls3":"https://c/h3/master.m3u8"};jwplayer("v").setup({sources:'
     '[{file:links.hls4||links.hls3||links.hls2}]});', "https://c/h3/master.m3u8"),
    ('<script>var cfg = {poster: "https://c/p.jpg", hls: "//c/live/master.m3u8?x=1"};</script>',
     "//c/live/master.m3u8?x=1"),
    ("<!-- sources: ['https://old/v.mp4'] --><script>var u = 'https://new/v.mp4';</script>",
     "https://new/v.mp4"),
    ('sources: [{file: "https://c/troll/bbb_1080p/master.m3u8"}]; var x = "https://c/real.mp4";',
     "https://c/real.mp4"),
    ('jwplayer("v").setup({sources:[{file:"https://c/s.mp4"}],tracks:[{file:"/s.vtt"}]})',
     "https://c/s.mp4"),
    ("<p>Nothing to see</p>", None),
])
def test_find_media_in_each_shape(text: str, expected: str | None) -> None:
    assert patterns.find_media(text) == expected


def test_decoys() -> None:
    assert patterns.is_decoy("https://prx.vmget.online/troll/x/master.m3u8")
    assert patterns.is_decoy("https://c/videos/bigbuckbunny.mp4")
    assert patterns.is_decoy("https://c/bbb_sunflower_1080p.mp4")
    assert not patterns.is_decoy("https://c/hls2/01/abc_bbbx/master.m3u8")


# --- the generic reader, end to end --------------------------------------------------------


PAGES = {
    "ansembed": (lambda: fixture("ansembed", "embed.html"), "/hls2/01/00001/"),
    "oneupload": (lambda: fixture("oneupload", "embed.html"), "/hls2/01/00123/"),
    "sibnet": (lambda: fixture("sibnet", "shell.html"), "/v/1d5f2c9a8b7e3f60a1b2c3d4e5f60718/"),
    "sendvid-source": (lambda: fixture("sendvid", "embed_source.html"), "/ab/cd/8xq2mzka.mp4"),
    "sendvid-var": (lambda: fixture("sendvid", "embed_var.html"), "/ab/cd/8xq2mzka.mp4"),
    "sendvid-og": (lambda: fixture("sendvid", "embed_og.html"), "/ab/cd/8xq2mzka.mp4"),
    "vidhide": (lambda: fixture("packed", "embed.html"), "/stream/Xq9zP2kL/"),
    "uqload": (lambda: packed_page("uqload"), "/hls2/01/01234/abcdefgh1234_n/master.m3u8"),
    "uqload-legacy": (lambda: fixture("uqload", "legacy.html"), "/v.mp4"),
    "minochinos": (lambda: packed_page("minochinos"), "/stream/AbC123/"),
    "videojs": (lambda: fixture("generic", "videojs.html"), "/v/ep5/ep5_1080.mp4?token=Kq81"),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_generic_reader_on_pages_of_hosts_it_does_not_know(http, name: str) -> None:
    text, expected = PAGES[name]
    tree = StaticTree(FIXTURES, {"/embed/5": lambda r: Response(
        text(), content_type="text/html; charset=utf-8")})
    with serve(tree) as base:
        media = resolve_player(http, Player(f"{base}/embed/5"), {})
    assert media.host == "generic" and expected in media.url
    assert media.headers == {"Referer": f"{base}/embed/5", "Origin": base}
    assert len(tree.seen) == 1  # read once, no yt-dlp


def test_generic_reader_to_a_downloaded_file(http, tmp_path: Path) -> None:
    cdn = RangeFile(VIDEO, required_headers={})
    with serve(cdn) as cdn_base:
        tree = StaticTree(FIXTURES, {"/player/5": lambda r: Response(
            fixture("generic", "videojs.html").replace("https://cdn.player.example", cdn_base),
            content_type="text/html")})
        with serve(tree) as base:
            cdn.required_headers = {"Referer": f"{base}/player/5"}
            media = resolve_player(http, Player(f"{base}/player/5"), {})
            result = transfer(http, media, tmp_path / "5.part", lambda *a: None,
                              max_bytes=10**9, should_stop=lambda: False)
    assert media.url == f"{cdn_base}/v/ep5/ep5_1080.mp4?token=Kq81"
    assert Path(result.path).read_bytes() == VIDEO


def test_generic_reader_says_when_the_page_is_gone(http) -> None:
    with serve(StaticTree(FIXTURES)) as base, pytest.raises(HostError, match="404"):
        resolve_player(http, Player(f"{base}/embed/none"), {})


def test_hosts_ytdlp_has_an_extractor_for_skip_the_generic_reader() -> None:
    assert ytdlp_knows("https://www.youtube.com/embed/HoDiiJ-sWCk")
    assert ytdlp_knows("https://www.dailymotion.com/embed/video/x8abcd1")
    assert not ytdlp_knows("https://player.unknown-host.example/e/1")
    assert not ytdlp_knows("https://uqload.com/embed-x.html")  # refused by yt-dlp, not known


# --- player order ---------------------------------------------------------------------------


def test_order_players_known_good_hosts_first_then_provider_order() -> None:
    players = [Player("https://vidmoly.to/embed-a.html"),
               Player("https://lpayer.embed4me.com/#ia5qn"),
               Player("https://unknown-host.example/e/1"),
               Player("https://minochinos.com/v/AbC123"),
               Player("https://uqload.is/embed-abcdefgh1234.html"),
               Player("https://ansembed.net/embed-abc123def456.html"),
               Player("https://sendvid.com/embed/b"),
               Player("https://s22.anime-sama.to/videos/X/VF/X_1_VF.mp4"),
               Player("https://video.sibnet.ru/shell.php?videoid=1"),
               Player("https://oneupload.net/embed-c.html")]
    ordered = order_players(players, "auto")
    assert [p.url.split("/")[2] for p in ordered] == [
        "s22.anime-sama.to", "video.sibnet.ru",
        "minochinos.com", "uqload.is", "ansembed.net", "sendvid.com", "oneupload.net",
        "lpayer.embed4me.com", "vidmoly.to", "unknown-host.example"]


def test_order_players_quality_preference_first() -> None:
    players = [Player("https://video.sibnet.ru/shell.php?videoid=1"),
               Player("https://d.example/ep-480.mp4", kind="file", quality="480p"),
               Player("https://d.example/ep-1080.mkv", kind="file", quality="1080p"),
               Player("https://d.example/ep-720.mkv", kind="file", quality="720p")]
    by = {pref: [p.quality for p in order_players(players, pref)]
          for pref in ("auto", "720p", "480p", "1080p")}
    assert by["auto"] == ["1080p", "720p", "480p", None]
    assert by["720p"] == ["720p", None, "480p", "1080p"]
    assert by["480p"] == ["480p", None, "720p", "1080p"]
    assert by["1080p"] == ["1080p", None, "720p", "480p"]


def test_order_players_recognises_hosts_on_their_configured_base_url() -> None:
    config = {"BASE_URLS": {"sibnet": "http://127.0.0.1:9001", "vidmoly": "http://127.0.0.1:9002",
                            "embed4me": "http://127.0.0.1:9003",
                            "ansembed": "http://127.0.0.1:9004"}}
    players = [Player("http://127.0.0.1:9002/embed-a.html"),
               Player("http://127.0.0.1:9003/#x8yws"),
               Player("http://127.0.0.1:9004/embed-b.html"),
               Player("http://127.0.0.1:9001/shell.php?videoid=1")]
    assert order_players(players, "auto", config) == players[::-1]
    assert order_players(players, "auto") == players  # unknown hosts: provider order
