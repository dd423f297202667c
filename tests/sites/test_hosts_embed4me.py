"""Embed4me's lpayer (tests/fixtures/SOURCES.md Part 2 §2): the id from the URL fragment, the
encrypted API answer decrypted, the playlist downloaded with the player's headers; and
each way the API says no, as a sentence.

The local server encrypts the fixture JSON (embed4me/video.json, info.json) at run time
with the player's key and IV, as the real API does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from tests.fixtures.hosts.pages import (
    assert_same_video,
    embed4me_answer,
    embed4me_description,
    page,
)
from tests.fixtures.hosts.servers import FIXTURES, StaticTree, serve
from webapp.downloading.engines.transfer import transfer
from webapp.sites.hosts.embed4me import decrypt_payload, player_id
from webapp.sites.hosts.registry import resolve_player
from webapp.sites.http.client import HttpClient
from webapp.sites.types import HostError, HostLayoutChanged, HostUnavailable, MediaGone, Player

PLAYER = "https://lpayer.embed4me.com/#x8yws"


@pytest.fixture
def http() -> HttpClient:
    return HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0)


def master(_request: Request) -> Response:
    text = (FIXTURES / "hls" / "master.m3u8").read_text()
    return Response(text.replace("160x90/", "/hls/160x90/").replace("320x180/", "/hls/320x180/"),
                    content_type="application/vnd.apple.mpegurl")


def lpayer(api: Callable[[Request, str], Response]) -> StaticTree:
    """The player's origin: the SPA shell, the API (`api(request, origin)`), playlists."""
    def video(request: Request) -> Response:
        return api(request, request.host_url.rstrip("/"))

    return StaticTree(FIXTURES, {"/": page("embed4me/index.html"), "/api/v1/video": video,
                                 "/v4/pl/x8yws/master.m3u8": master,
                                 "/v4/x8yws/master.m3u8": master})


def answering(name: str = "video", quoted: bool = False,
              change: Callable[[dict[str, Any]], None] | None = None
              ) -> Callable[[Request, str], Response]:
    def api(request: Request, origin: str) -> Response:
        description = embed4me_description(name, origin)
        if change:
            change(description)
        return Response(embed4me_answer(description, quoted), content_type="text/plain")
    return api


def test_player_id_is_the_fragment() -> None:
    assert player_id("https://lpayer.embed4me.com/#ia5qn") == "ia5qn"
    assert player_id("https://lpayer.embed4me.com/?id=cufsv") == "cufsv"
    assert player_id("https://lpayer.embed4me.com/") == ""


def test_lpayer_api_answer_decrypted_to_an_hls_download(http, tmp_path: Path) -> None:
    tree = lpayer(answering())
    with serve(tree) as base:
        media = resolve_player(http, Player(PLAYER, headers=(("Referer", "https://anime-sama.to/"),)),
                               {"BASE_URLS": {"embed4me": base}})
        assert (media.kind, media.host) == ("hls", "embed4me")
        assert media.url == f"{base}/v4/pl/x8yws/master.m3u8?k=sig"  # cfNative first
        assert media.headers == {"Referer": base + "/", "Origin": base}
        result = transfer(http, media, tmp_path / "1.part", lambda *a: None, max_bytes=10**9,
                          should_stop=lambda: False, quality_preference="480p")
    assert_same_video(Path(result.path), "160x90", tmp_path)
    path, headers = next((p, h) for p, h in tree.seen if p.startswith("/api/"))
    assert path == "/api/v1/video?id=x8yws&w=1920&h=1080&r=https%3A%2F%2Fanime-sama.to"
    assert headers["Referer"] == base + "/" and headers["Origin"] == base
    segments = [(p, h) for p, h in tree.seen if p.endswith(".ts")]
    assert len(segments) == 3
    assert all(h["Referer"] == base + "/" and h["Origin"] == base for _, h in segments)
    assert not any(p == "/" for p, _ in tree.seen)  # the SPA shell is not needed


@pytest.mark.parametrize("change,expected", [
    (lambda d: d.pop("cfNative"), "/v4/x8yws/master.m3u8?v=sig"),
    (lambda d: (d.pop("cfNative"), d.update(source="https://185.237.107.150/v4/x8yws/x.mp4")),
     "/v4/x8yws/master.txt?k=sig"),
    (lambda d: d.update(cfNative="/v4/pl/x8yws/master.m3u8?k=rel"),
     "/v4/pl/x8yws/master.m3u8?k=rel"),
])
def test_playlist_is_cfnative_else_an_m3u8_source_else_cf(http, change, expected) -> None:
    def moved(d: dict[str, Any]) -> None:
        d["source"] = d["source"].replace("https://185.237.107.150", base)
        change(d)

    tree = lpayer(answering(change=moved, quoted=True))
    with serve(tree) as base:
        media = resolve_player(http, Player(PLAYER), {"BASE_URLS": {"embed4me": base}})
    assert media.url == base + expected
    api = next(p for p, _ in tree.seen if p.startswith("/api/"))
    assert api.endswith("&r=" + base.replace(":", "%3A").replace("/", "%2F"))


@pytest.mark.parametrize("api,error,sentence", [
    (lambda r, o: Response("Too Many Requests", 429), HostUnavailable, "limiting requests"),
    (lambda r, o: Response("boom", 500), HostUnavailable, "500"),
    (lambda r, o: Response("not found", 404), MediaGone, "404"),
    (lambda r, o: Response('"error"', content_type="text/plain"), HostError,
     "refused video x8yws"),
    (lambda r, o: Response("00ff", content_type="text/plain"), HostError,
     "could not be decrypted"),
    (lambda r, o: Response("0" * 64, content_type="text/plain"), HostLayoutChanged,
     "could not be decrypted"),
    (answering("info"), HostLayoutChanged, "newer flow .* is not supported"),
])
def test_api_failures_are_sentences(http, api, error, sentence) -> None:
    with serve(lpayer(api)) as base, pytest.raises(error, match=sentence) as info:
        resolve_player(http, Player(PLAYER), {"BASE_URLS": {"embed4me": base}})
    assert type(info.value) is error


def test_a_placeholder_without_id_is_gone(http) -> None:
    with pytest.raises(MediaGone, match="no video id"):
        resolve_player(http, Player("https://lpayer.embed4me.com/#"), {})


def test_decrypting_what_the_fixture_server_encrypts() -> None:
    description = embed4me_description("video", "http://127.0.0.1:1")
    assert decrypt_payload(embed4me_answer(description)) == description
    assert decrypt_payload(embed4me_answer(description, quoted=True) + "\n") == description
