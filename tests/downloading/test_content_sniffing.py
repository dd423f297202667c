"""A download is judged by its first bytes: mislabelled videos pass, web pages never do."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.fixture_site.generic import media_bytes
from tests.fixtures.hosts.servers import RangeFile, serve
from webapp.downloading.engines.base import NotAVideo, Stopped
from webapp.downloading.engines.transfer import transfer
from webapp.sites.http.client import HttpClient
from webapp.sites.types import MediaSource

SIZE = 2 * 1024 * 1024 + 777
FILLER = os.urandom(SIZE)


def _file(head: bytes) -> bytes:
    return head + FILLER[len(head):]


def _ts() -> bytes:
    packet = b"\x47\x40\x00\x10" + b"\xff" * 184
    return packet * (SIZE // 188 + 1)


CONTAINERS = {
    "matroska": (_file(bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282886d")),
                 "mkv"),
    "webm": (_file(bytes.fromhex("1a45dfa39f4282847765626d")), "mkv"),
    "mp4 ftyp": (_file(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), "mp4"),
    "mov moov": (_file(b"\x00\x00\x10\x00moov\x00\x00\x00\x6cmvhd"), "mp4"),
    "mov mdat": (_file(b"\x00\x01\x00\x00mdat"), "mp4"),
    "mov free": (_file(b"\x00\x00\x00\x08free"), "mp4"),
    "mov wide": (_file(b"\x00\x00\x00\x08wide"), "mp4"),
    "mpeg-ts": (_ts()[:SIZE], "ts"),
    "avi": (_file(b"RIFF\x00\x10\x00\x00AVI LIST"), "avi"),
    "flv": (_file(b"FLV\x01\x05\x00\x00\x00\x09"), "flv"),
}


@pytest.fixture
def http() -> HttpClient:
    return HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0)


def _progress(done: int, total: int | None, speed: float) -> None:
    pass


def _run(http: HttpClient, url: str, part: Path, should_stop=lambda: False):  # noqa: ANN001, ANN202
    return transfer(http, MediaSource(url), part, _progress, max_bytes=10 * SIZE,
                    should_stop=should_stop)


@pytest.mark.parametrize("content_type", ["text/plain", "text/html; charset=utf-8",
                                          "application/octet-stream"])
@pytest.mark.parametrize("name", list(CONTAINERS))
def test_video_containers_pass_whatever_type_is_claimed(http, tmp_path, name, content_type):
    data, extension = CONTAINERS[name]
    with serve(RangeFile(data, content_type=content_type)) as base:
        result = _run(http, f"{base}/files/episode-05", tmp_path / "1.part")
    assert (tmp_path / "1.part").read_bytes() == data
    assert result.extension == extension  # no extension in the URL: the bytes tell


@pytest.mark.parametrize("body, content_type", [
    (b"<!DOCTYPE html><html><body>Access denied</body></html>", "text/plain"),
    (b"\r\n\t  <html><head><title>Login</title></head>", "text/plain"),
    (b"  <!doctype HTML>\n<html lang=en>", "video/x-matroska"),
    (b"\x00\x01\x02 unknown bytes", "text/plain"),
    (b"{\"error\": \"token expired\"}", "application/json"),
])
def test_web_pages_and_unknown_text_are_refused(http, tmp_path, body, content_type):
    page = body + b" " * (SIZE - len(body))
    with serve(RangeFile(page, content_type=content_type)) as base, \
            pytest.raises(NotAVideo, match="not a video: the link answered a web page") as info:
        _run(http, f"{base}/ep.mkv", tmp_path / "2.part")
    assert not info.value.retryable
    assert list(tmp_path.iterdir()) == []


def test_unknown_bytes_of_a_video_type_still_pass(http, tmp_path):
    with serve(RangeFile(FILLER, content_type="video/mp4")) as base:
        _run(http, f"{base}/ep.mp4", tmp_path / "3.part")
    assert (tmp_path / "3.part").read_bytes() == FILLER


def _stop_midway(http: HttpClient, url: str, part: Path) -> None:
    seen: list[int] = []

    def progress(done: int, total: int | None, speed: float) -> None:
        seen.append(done)

    with pytest.raises(Stopped):
        transfer(http, MediaSource(url), part, progress, max_bytes=10 * SIZE,
                 should_stop=lambda: bool(seen) and seen[-1] >= SIZE // 3)
    assert 0 < part.stat().st_size < SIZE


def test_a_resume_is_judged_by_the_part_files_first_bytes(http, tmp_path):
    data = CONTAINERS["matroska"][0]
    server = RangeFile(data, content_type="text/plain")
    part = tmp_path / "4.part"
    with serve(server) as base:
        _stop_midway(http, f"{base}/ep", part)
        result = _run(http, f"{base}/ep", part)
    assert server.requests[-1]["status"] == 206  # the new bytes start mid-file
    assert part.read_bytes() == data and result.extension == "mkv"


def test_a_resume_of_unknown_bytes_now_called_text_is_refused(http, tmp_path):
    server = RangeFile(FILLER, content_type="application/octet-stream")
    part = tmp_path / "5.part"
    with serve(server) as base:
        _stop_midway(http, f"{base}/ep", part)
        server.content_type = "text/plain"
        with pytest.raises(NotAVideo, match="not a video"):
            _run(http, f"{base}/ep", part)
    assert server.requests[-1]["status"] == 206
    assert not part.exists()


def test_directory_listing_of_mkv_files_sent_as_text_plain(fixture_site, site_client,
                                                           site_registry, tmp_path):
    fixture_site.add_show("directory", "/dir/nginx/plain/", "Plain", episodes=2,
                          options={"pattern": "Plain Show - {n:02d} (1080p).mkv",
                                   "served_as": "text/plain"})
    directory = site_registry.get("directory")
    source = directory.normalise(fixture_site.url_for("/dir/nginx/plain/"))
    listed = directory.fetch_episodes(site_client, source.key, source.lang)
    assert [e.number for e in listed.episodes] == [1, 2]
    url = listed.episodes[1].players[0].url
    with site_client.open_stream(url) as resp:
        assert resp.headers["Content-Type"].startswith("text/plain")

    result = transfer(site_client, MediaSource(url), tmp_path / "6.part", _progress,
                      max_bytes=10 * SIZE, should_stop=lambda: False)
    name = "Plain Show - 02 (1080p).mkv"
    assert (tmp_path / "6.part").read_bytes() == media_bytes(name, fixture_site.media_size)
    assert result.extension == "mkv"

    # The same URL now answers a login page, still as text/plain: refused.
    page = "<!DOCTYPE html>\n<html><body><form>Log in</form>" + " " * 100_000 + "</html>"
    fixture_site.set_page(unquote(urlsplit(url).path), page, content_type="text/plain")
    with pytest.raises(NotAVideo, match="not a video: the link answered a web page"):
        transfer(site_client, MediaSource(url), tmp_path / "7.part", _progress,
                 max_bytes=10 * SIZE, should_stop=lambda: False)
    assert not (tmp_path / "7.part").exists()
