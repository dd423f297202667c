"""The HLS engine (yt-dlp's native downloader through HttpClient) against local playlists.

The fixture master playlist has two variants (labelled 480p and 720p) of three real
H.264/AAC MPEG-TS segments each, made with ffmpeg; the server records every request.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from werkzeug.wrappers import Request, Response

from tests.fixtures.hosts.servers import FIXTURES, StaticTree, serve
from webapp.downloading.engines.base import DownloadError, Stopped
from webapp.downloading.engines.transfer import discard_partial, transfer
from webapp.sites.hosts.registry import resolve_player
from webapp.sites.http.client import HttpClient
from webapp.sites.types import MediaSource, Player

HLS = FIXTURES / "hls"


@pytest.fixture
def http() -> HttpClient:
    return HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0)


def segments(tree: StaticTree) -> list[str]:
    return [path for path, _ in tree.seen if path.endswith(".ts")]


def test_vidmoly_hls_download_with_headers_on_every_request(http, tmp_path: Path) -> None:
    def embed(request: Request) -> Response:
        text = (FIXTURES / "vidmoly" / "embed.html").read_text()
        text = text.replace("https://box-1134-t.vmeas.cloud/hls/xqx2o7d3,mba,.urlset",
                            f"{request.host_url.rstrip('/')}/hls")
        return Response(text, content_type="text/html")

    tree = StaticTree(FIXTURES, {"/embed-k2xq9w0d1jzv.html": embed})
    progress: list[tuple] = []
    with serve(tree) as base:
        media = resolve_player(http, Player("https://vidmoly.to/embed-k2xq9w0d1jzv.html"),
                               {"BASE_URLS": {"vidmoly": base}})
        assert media.kind == "hls"
        result = transfer(http, media, tmp_path / ".partial" / "7.part",
                          lambda *a: progress.append(a), max_bytes=10**9,
                          should_stop=lambda: False, quality_preference="480p")
    media_requests = [(p, h) for p, h in tree.seen if p.startswith("/hls/")]
    assert [p for p, _ in media_requests if p.endswith(".ts")] == [
        "/hls/160x90/seg0.ts", "/hls/160x90/seg1.ts", "/hls/160x90/seg2.ts"]
    for path, headers in media_requests:
        assert headers.get("Referer") == base + "/", path
        assert headers.get("Origin") == base, path
    part = tmp_path / ".partial" / "7.part"
    assert result.path == part and part.stat().st_size == result.bytes_total > 30_000
    assert progress and progress[-1][0] == result.bytes_total
    assert not (tmp_path / ".partial" / "7.hls").exists()
    if shutil.which("ffprobe"):
        assert result.extension == "mp4"
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=format_name:stream=codec_name",
             "-of", "csv=p=0", str(part)], capture_output=True, text=True, check=True)
        assert "mp4" in probe.stdout and "h264" in probe.stdout and "aac" in probe.stdout


@pytest.mark.parametrize("preference,variant", [("auto", "320x180"), ("1080p", "320x180"),
                                                ("720p", "320x180"), ("480p", "160x90")])
def test_variant_follows_quality_preference(http, tmp_path, preference, variant) -> None:
    tree = StaticTree(HLS)
    with serve(tree) as base:
        transfer(http, MediaSource(f"{base}/master.m3u8", kind="hls"), tmp_path / "1.part",
                 lambda *a: None, max_bytes=10**9, should_stop=lambda: False,
                 quality_preference=preference)
    assert {p.split("/")[1] for p in segments(tree)} == {variant}


def test_stopped_hls_resumes_at_the_fragment_where_it_stopped(http, tmp_path: Path) -> None:
    tree = StaticTree(HLS)
    part = tmp_path / "2.part"
    calls: list[tuple] = []
    with serve(tree) as base:
        media = MediaSource(f"{base}/master.m3u8", kind="hls")
        with pytest.raises(Stopped):
            transfer(http, media, part, lambda *a: calls.append(a), max_bytes=10**9,
                     should_stop=lambda: len(calls) >= 2)
        first = segments(tree)
        assert first and len(first) < 3
        result = transfer(http, media, part, lambda *a: None, max_bytes=10**9,
                          should_stop=lambda: False)
    second = segments(tree)[len(first):]
    assert first[-1] not in second[1:]
    assert len(first) + len(second) <= 4  # at most the interrupted fragment again
    assert part.stat().st_size == result.bytes_total


def test_segment_on_a_private_address_is_refused(tmp_path: Path) -> None:
    """Segments are fetched through HttpClient's guard: only 127.0.0.1 is allowed here."""
    http = HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0)
    other = StaticTree(HLS)
    with serve(other, host="127.0.0.2") as evil:
        playlist = (HLS / "160x90" / "index.m3u8").read_text().replace(
            "seg", f"{evil}/160x90/seg")
        tree = StaticTree(HLS, {"/list.m3u8": lambda r: Response(
            playlist, content_type="application/vnd.apple.mpegurl")})
        with serve(tree) as base, pytest.raises(DownloadError, match="127.0.0.2") as info:
            transfer(http, MediaSource(f"{base}/list.m3u8", kind="hls"), tmp_path / "3.part",
                     lambda *a: None, max_bytes=10**9, should_stop=lambda: False)
    assert other.seen == []
    assert not info.value.retryable
    discard_partial(tmp_path / "3.part")
    assert list(tmp_path.iterdir()) == []


def test_missing_segment_is_a_clear_error(http, tmp_path: Path) -> None:
    tree = StaticTree(HLS, {"/320x180/seg1.ts": lambda r: Response("gone", 404)})
    with serve(tree) as base, pytest.raises(DownloadError, match="404"):
        transfer(http, MediaSource(f"{base}/master.m3u8", kind="hls"), tmp_path / "4.part",
                 lambda *a: None, max_bytes=10**9, should_stop=lambda: False)


def test_fragments_of_another_stream_are_not_reused(http, tmp_path: Path) -> None:
    first_host, second_host = StaticTree(HLS), StaticTree(HLS)
    part = tmp_path / "5.part"
    calls: list[tuple] = []
    with serve(first_host) as one, serve(second_host) as two:
        with pytest.raises(Stopped):
            transfer(http, MediaSource(f"{one}/master.m3u8", kind="hls"), part,
                     lambda *a: calls.append(a), max_bytes=10**9,
                     should_stop=lambda: len(calls) >= 2)
        transfer(http, MediaSource(f"{two}/master.m3u8", kind="hls"), part,
                 lambda *a: None, max_bytes=10**9, should_stop=lambda: False)
    assert segments(second_host) == [
        "/320x180/seg0.ts", "/320x180/seg1.ts", "/320x180/seg2.ts"]
