"""The HTTP engine against a real Range-capable server: resume, restart, limits, refusals."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.fixtures.hosts.servers import RangeFile, serve
from webapp.downloading.engines.base import DownloadError, NotAVideo, Stopped, TooLarge
from webapp.downloading.engines.http import meta_path
from webapp.downloading.engines.transfer import discard_partial, transfer
from webapp.sites.http.client import HttpClient
from webapp.sites.types import MediaSource

SIZE = 3 * 1024 * 1024 + 12345
DATA = os.urandom(SIZE)


@pytest.fixture
def http() -> HttpClient:
    return HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0)


class Recorder:
    """A progress callback keeping every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None, float]] = []

    def __call__(self, done: int, total: int | None, speed: float) -> None:
        self.calls.append((done, total, speed))


def stop_after(nbytes: int, progress: Recorder):  # noqa: ANN201
    return lambda: bool(progress.calls) and progress.calls[-1][0] >= nbytes


def run(http, base, part, *, max_bytes=10 * SIZE, should_stop=lambda: False, progress=None,
        headers=None):  # noqa: ANN001, ANN201
    media = MediaSource(f"{base}/ep.mp4", headers=headers or {})
    return transfer(http, media, part, progress or Recorder(), max_bytes=max_bytes,
                    should_stop=should_stop)


def stop_midway(http, base, part, at: int) -> None:  # noqa: ANN001
    """Run until `at` bytes are in, then stop: the part file stays for a resume."""
    progress = Recorder()
    with pytest.raises(Stopped):
        run(http, base, part, progress=progress, should_stop=stop_after(at, progress))


def test_fresh_download_is_byte_identical_with_progress(http, tmp_path: Path) -> None:
    server = RangeFile(DATA)
    progress = Recorder()
    with serve(server) as base:
        result = run(http, base, tmp_path / "1.part", progress=progress,
                     headers={"Referer": "https://host/"})
    assert (tmp_path / "1.part").read_bytes() == DATA
    assert (result.bytes_total, result.bytes_fetched, result.extension) == (SIZE, SIZE, "mp4")
    assert progress.calls[-1][:2] == (SIZE, SIZE)
    assert [c[0] for c in progress.calls] == sorted(c[0] for c in progress.calls)
    assert server.requests[0]["headers"]["Referer"] == "https://host/"
    assert "Range" not in server.requests[0]["headers"]


def test_stopped_then_resumed_with_range_and_if_range(http, tmp_path: Path) -> None:
    server = RangeFile(DATA)
    part = tmp_path / "2.part"
    with serve(server) as base:
        stop_midway(http, base, part, SIZE // 3)
        have = part.stat().st_size
        assert 0 < have < SIZE
        assert part.read_bytes() == DATA[:have]
        result = run(http, base, part)
    assert part.read_bytes() == DATA
    second = server.requests[-1]
    assert second["headers"]["Range"] == f"bytes={have}-"
    assert second["headers"]["If-Range"] == '"v1"'
    assert second["status"] == 206
    assert result.bytes_fetched == SIZE - have  # nothing fetched twice
    assert second["sent"] == SIZE - have


def test_stale_if_range_restarts_from_zero(http, tmp_path: Path) -> None:
    server = RangeFile(DATA)
    part = tmp_path / "3.part"
    with serve(server) as base:
        stop_midway(http, base, part, SIZE // 2)
        new = os.urandom(SIZE - 1000)
        server.data, server.etag = new, '"v2"'
        server.last_modified = "Thu, 02 Jan 2025 00:00:00 GMT"
        result = run(http, base, part)
    assert server.requests[-1]["headers"]["If-Range"] == '"v1"'
    assert server.requests[-1]["status"] == 200
    assert part.read_bytes() == new
    assert result.bytes_fetched == len(new)


def test_server_ignoring_range_restarts(http, tmp_path: Path) -> None:
    server = RangeFile(DATA, honour_range=False)
    part = tmp_path / "4.part"
    with serve(server) as base:
        stop_midway(http, base, part, SIZE // 2)
        run(http, base, part)
    assert part.read_bytes() == DATA


def test_complete_part_answers_416_and_is_kept(http, tmp_path: Path) -> None:
    server = RangeFile(DATA)
    part = tmp_path / "5.part"
    with serve(server) as base:
        run(http, base, part)
        result = run(http, base, part)
    assert server.requests[-1]["status"] == 416
    assert (result.bytes_total, result.bytes_fetched) == (SIZE, 0)
    assert part.read_bytes() == DATA


def test_connection_cut_short_is_retryable_and_resumes(http, tmp_path: Path) -> None:
    server = RangeFile(DATA, cut_after=SIZE // 2)
    part = tmp_path / "6.part"
    with serve(server) as base:
        with pytest.raises(DownloadError) as info:
            run(http, base, part)
        assert info.value.retryable
        assert "resume" in str(info.value)
        server.cut_after = None
        run(http, base, part)
    assert part.read_bytes() == DATA
    assert server.requests[-1]["status"] == 206


def test_unknown_part_file_without_metadata_restarts(http, tmp_path: Path) -> None:
    part = tmp_path / "7.part"
    part.write_bytes(b"garbage" * 1000)
    server = RangeFile(DATA)
    with serve(server) as base:
        run(http, base, part)
    assert "Range" not in server.requests[0]["headers"]
    assert part.read_bytes() == DATA
    assert json.loads(meta_path(part).read_text())["total"] == SIZE


def test_html_and_tiny_answers_are_not_videos(http, tmp_path: Path) -> None:
    html = RangeFile(b"<!DOCTYPE html><html>" + b" " * 200_000, content_type="text/html")
    sniffed = RangeFile(b"\n <html><body>blocked</body></html>" + b" " * 200_000,
                        content_type="application/octet-stream")
    tiny = RangeFile(b"\x00" * 500)
    for server in (html, sniffed, tiny):
        with serve(server) as base, pytest.raises(NotAVideo, match="not a video") as info:
            run(http, base, tmp_path / "8.part")
        assert not info.value.retryable
        assert list(tmp_path.iterdir()) == []


def test_chunked_body_of_unknown_size(http, tmp_path: Path) -> None:
    progress = Recorder()
    with serve(RangeFile(DATA, send_length=False)) as base:
        result = run(http, base, tmp_path / "13.part", progress=progress)
    assert (tmp_path / "13.part").read_bytes() == DATA
    assert result.bytes_total == SIZE
    assert progress.calls[0][1] is None and progress.calls[-1][1] == SIZE


def test_part_of_another_players_file_is_not_resumed(http, tmp_path: Path) -> None:
    server = RangeFile(DATA)
    part = tmp_path / "14.part"
    first = Recorder()
    with serve(server) as base:
        with pytest.raises(Stopped):
            transfer(http, MediaSource(f"{base}/other-host/ep.mp4"), part, first,
                     max_bytes=10 * SIZE, should_stop=stop_after(SIZE // 2, first))
        run(http, base, part)  # /ep.mp4: another file
    assert "Range" not in server.requests[-1]["headers"]
    assert part.read_bytes() == DATA


def test_size_cap_before_and_during_the_transfer(http, tmp_path: Path) -> None:
    with serve(RangeFile(DATA)) as base, pytest.raises(TooLarge, match="MAX_FILE_SIZE_MB"):
        run(http, base, tmp_path / "9.part", max_bytes=SIZE // 2)
    chunked = RangeFile(DATA, send_length=False)
    with serve(chunked) as base, pytest.raises(TooLarge):
        run(http, base, tmp_path / "10.part", max_bytes=SIZE // 2)
    assert list(tmp_path.iterdir()) == []  # nothing of an oversized file is kept


def test_stop_is_checked_before_each_chunk(http, tmp_path: Path) -> None:
    with serve(RangeFile(DATA)) as base, pytest.raises(Stopped, match="cancelled"):
        run(http, base, tmp_path / "11.part", should_stop=lambda: True)
    assert (tmp_path / "11.part").stat().st_size == 0
    discard_partial(tmp_path / "11.part")
    assert list(tmp_path.iterdir()) == []


def test_http_errors_and_refused_connections_are_explained(http, tmp_path: Path) -> None:
    from werkzeug.wrappers import Response

    def gone(environ, start_response):  # noqa: ANN001, ANN202
        return Response("gone", 404)(environ, start_response)

    with serve(gone) as base, pytest.raises(DownloadError, match="404") as info:
        run(http, base, tmp_path / "12.part")
    assert not info.value.retryable
    with pytest.raises(DownloadError, match="refused") as info:
        run(http, base, tmp_path / "12.part")  # the server is gone now
    assert info.value.retryable
