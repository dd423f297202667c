"""quality_preference chooses among players by the height they really serve.

Real tiny videos are made with ffmpeg once per session: plain MP4 files of 480, 720 and
1080 lines (nothing in their URL or label says so: the download probes their first
bytes with ffprobe) and HLS masters whose variants are real streams of the heights their
`RESOLUTION` states. Every download goes through the real job (RQ SimpleWorker, real
Redis); the server records what each player was asked, so the tests see which player and
which variant were fetched, and which were never touched.
"""

from __future__ import annotations

import itertools
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Response

from tests.download_helpers import add_download, file_player, row, run_worker, seed_item
from tests.fixtures.hosts.servers import StaticTree, serve
from tests.page_helpers import login
from webapp.sites.types import Player

pytestmark = pytest.mark.skipif(not (shutil.which("ffmpeg") and shutil.which("ffprobe")),
                                reason="needs ffmpeg and ffprobe (make system-test installs them)")

APP_CONFIG = {"HTTP_RETRIES": 0, "DOWNLOAD_RETRY_INTERVALS": (3600,)}  # for `ctx`
WIDTHS = {240: 426, 360: 640, 480: 854, 720: 1280, 1080: 1920}
SHOWS = itertools.count()
PADDED = 96 * 1024  # the HTTP engine takes nothing under 64 KiB for a video


def _encode(out: Path, height: int, *extra: str) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
         "-i", f"testsrc=s={WIDTHS[height]}x{height}:d=2:r=5", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", *extra, str(out)],
        check=True, timeout=60)


def _mp4(out: Path, height: int) -> None:
    """A real MP4 of `height` lines (header first), padded with a `free` box."""
    _encode(out, height, "-movflags", "+faststart")
    size = out.stat().st_size
    if size < PADDED:
        pad = PADDED - size
        with open(out, "ab") as fh:
            fh.write(struct.pack(">I", pad) + b"free" + b"\0" * (pad - 8))


def _hls(folder: Path, heights: list[int]) -> None:
    """A master playlist whose variants `<height>/index.m3u8` are real streams."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for height in heights:
        variant = folder / str(height)
        variant.mkdir(parents=True)
        _encode(variant / "index.m3u8", height, "-f", "hls", "-hls_time", "2",
                "-hls_list_size", "0", "-hls_segment_filename", str(variant / "seg%d.ts"))
        lines += [f"#EXT-X-STREAM-INF:BANDWIDTH={height * 2000},"
                  f"RESOLUTION={WIDTHS[height]}x{height}", f"{height}/index.m3u8"]
    (folder / "master.m3u8").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """/v480.mp4 /v720.mp4 /v1080.mp4, /hls-a/ (720 + 360) and /hls-b/ (1080 + 240)."""
    root = tmp_path_factory.mktemp("quality")
    for height in (480, 720, 1080):
        _mp4(root / f"v{height}.mp4", height)
    _hls(root / "hls-a", [360, 720])
    _hls(root / "hls-b", [1080, 240])
    return root


@pytest.fixture
def tree(videos: Path) -> Iterator[tuple[StaticTree, str]]:
    """The videos served by a recording local server: (tree, base URL)."""
    served = StaticTree(videos)
    with serve(served) as base:
        yield served, base


def _player(base: str, path: str, quality: str | None = None) -> dict:
    if path.endswith(".m3u8"):
        return Player(url=base + path, kind="hls", quality=quality).to_dict()
    return file_player(base + path, quality=quality)


def _download(ctx: Any, user_id: int, players: list[dict], preference: str,
              redis_conn: Any) -> Any:
    """One episode with these players, downloaded by the real job; its row after."""
    from webapp.downloading.dispatch import dispatch_pending
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    _, item_id = seed_item(user_id, {1: players}, source_title="Frieren",
                           key=f"show-{next(SHOWS)}")
    db.session.get(WatchlistItem, item_id).quality_preference = preference
    db.session.commit()
    download_id = add_download(user_id, item_id, 1)
    dispatch_pending()
    run_worker(redis_conn)
    return row(download_id)


def _asked(served: StaticTree, prefix: str) -> list[str]:
    return [path for path, _ in served.seen if path.startswith(prefix)]


def _segments(served: StaticTree, folder: str) -> set[str]:
    return {path.split("/")[2] for path in _asked(served, f"/{folder}/") if path.endswith(".ts")}


MIXED = ["/v480.mp4", "/hls-a/master.m3u8", "/v1080.mp4"]


@pytest.mark.parametrize("preference, chosen, height", [
    ("auto", "/v1080.mp4", 1080),
    ("1080p", "/v1080.mp4", 1080),
    ("720p", "/hls-a/master.m3u8", 720),
    ("480p", "/v480.mp4", 480),
])
def test_the_player_serving_the_preferred_height_is_downloaded(
        ctx: Any, make_user: Any, redis_conn: Any, tree: Any, preference: str, chosen: str,
        height: int) -> None:
    served, base = tree
    done = _download(ctx, make_user("alice").id, [_player(base, p) for p in MIXED],
                     preference, redis_conn)
    assert done.status == "completed", done.error
    assert done.player == base + chosen
    assert done.resolution == height
    if chosen.endswith(".m3u8"):
        assert _segments(served, "hls-a") == {"720"}  # the variant, not the other one


def test_a_player_that_fits_at_once_spares_the_others(
        ctx: Any, make_user: Any, redis_conn: Any, tree: Any) -> None:
    served, base = tree
    done = _download(ctx, make_user("alice").id, [_player(base, p) for p in MIXED], "480p",
                     redis_conn)
    assert done.player == base + "/v480.mp4" and done.resolution == 480
    assert _asked(served, "/hls-a/") == [] and _asked(served, "/v1080.mp4") == []


def test_nearest_lower_then_nearest_higher(
        ctx: Any, make_user: Any, redis_conn: Any, tree: Any) -> None:
    served, base = tree
    user = make_user("alice")
    # 720p from a master of 1080 and 240 lines: the lower variant, though further away.
    lower = _download(ctx, user.id, [_player(base, "/hls-b/master.m3u8")], "720p", redis_conn)
    assert lower.status == "completed", lower.error
    assert _segments(served, "hls-b") == {"240"} and lower.resolution == 240
    # 480p among 1080 and 720 lines: the nearest higher one.
    higher = _download(ctx, user.id, [_player(base, "/v1080.mp4"), _player(base, "/v720.mp4")],
                       "480p", redis_conn)
    assert higher.player == base + "/v720.mp4" and higher.resolution == 720


def test_the_same_master_gives_its_best_variant_for_auto(
        ctx: Any, make_user: Any, redis_conn: Any, tree: Any) -> None:
    served, base = tree
    done = _download(ctx, make_user("alice").id, [_player(base, "/hls-b/master.m3u8")], "auto",
                     redis_conn)
    assert done.status == "completed", done.error
    assert _segments(served, "hls-b") == {"1080"} and done.resolution == 1080


def test_when_the_preferred_player_fails_the_next_ranked_one_is_used(
        ctx: Any, make_user: Any, redis_conn: Any, tree: Any) -> None:
    served, base = tree
    served.routes["/hls-a/720/seg0.ts"] = lambda request: Response("gone", 404)
    done = _download(ctx, make_user("alice").id, [_player(base, p) for p in MIXED], "720p",
                     redis_conn)
    assert done.status == "completed", done.error
    # The 720-line variant broke: the nearest lower player comes next, not the 1080 one.
    assert "/hls-a/720/seg0.ts" in _asked(served, "/hls-a/720/")
    assert done.player == base + "/v480.mp4" and done.resolution == 480
    assert _asked(served, "/v1080.mp4") == []


def test_probing_stops_after_a_few_players(
        ctx: Any, make_user: Any, redis_conn: Any, tree: Any) -> None:
    from webapp.downloading.quality import MAX_MEASURED

    served, base = tree
    players = [_player(base, f"/v480.mp4?copy={n}") for n in range(MAX_MEASURED + 2)]
    done = _download(ctx, make_user("alice").id, players, "1080p", redis_conn)
    assert done.status == "completed", done.error
    asked = [p for p, _ in served.seen]
    assert done.player == base + "/v480.mp4?copy=0" and done.resolution == 480  # ties: order
    assert {f"/v480.mp4?copy={n}" for n in range(MAX_MEASURED)} <= set(asked)
    assert f"/v480.mp4?copy={MAX_MEASURED}" not in asked
    assert f"/v480.mp4?copy={MAX_MEASURED + 1}" not in asked


def test_without_ffprobe_stated_heights_still_count(
        ctx: Any, make_user: Any, redis_conn: Any, tree: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    served, base = tree
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffprobe: probes are skipped
    players = [_player(base, "/v480.mp4"), _player(base, "/v1080.mp4", quality="1080p"),
               _player(base, "/v720.mp4")]
    done = _download(ctx, make_user("alice").id, players, "auto", redis_conn)
    assert done.status == "completed", done.error
    assert done.player == base + "/v1080.mp4" and done.resolution == 1080  # the label
    assert _asked(served, "/v480.mp4") == [] == _asked(served, "/v720.mp4")


def test_a_download_adopting_the_file_gets_its_resolution(
        ctx: Any, make_user: Any, redis_conn: Any, tree: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    served, base = tree
    first = _download(ctx, make_user("alice").id, [_player(base, p) for p in MIXED], "auto",
                      redis_conn)
    assert first.resolution == 1080
    bob = make_user("bob")
    _, item_id = seed_item(bob.id, {}, source_id=first.source_id)
    later = add_download(bob.id, item_id, 1)
    dispatch_pending()
    run_worker(redis_conn)
    adopted = row(later)
    assert adopted.status == "completed" and adopted.path == first.path
    assert adopted.resolution == 1080
    assert len(_asked(served, "/v1080.mp4")) == 2  # the probe and the one transfer


def _embed(file: str, label: str) -> Any:
    page = ('<html><body><div id="vplayer"></div><script>jwplayer("vplayer").setup({'
            f'sources: [{{file: "{file}", label: "{label}"}}]}});</script></body></html>')
    return lambda request: Response(page, content_type="text/html")


def test_the_height_a_host_page_states_is_trusted_without_a_probe(
        ctx: Any, make_user: Any, redis_conn: Any, tree: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    served, base = tree
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing could be probed anyway
    served.routes["/embed-a.html"] = _embed("/v480.mp4", "480p")
    served.routes["/embed-b.html"] = _embed("/v1080.mp4", "1080p")
    players = [Player(base + "/embed-a.html").to_dict(), Player(base + "/embed-b.html").to_dict()]
    done = _download(ctx, make_user("alice").id, players, "auto", redis_conn)
    assert done.status == "completed", done.error
    assert done.player == base + "/embed-b.html" and done.resolution == 1080
    assert _asked(served, "/v480.mp4") == []


def test_the_resolution_shows_in_the_api_and_on_the_pages(
        ctx: Any, make_api: Any, client: Any, redis_conn: Any, tree: Any) -> None:
    _, base = tree
    api = make_api("alice")
    done = _download(ctx, api.user.id, [_player(base, p) for p in MIXED], "auto", redis_conn)
    assert done.resolution == 1080
    body = api.get(f"/api/downloads/{done.id}").get_json()
    assert body["resolution"] == 1080
    listed = api.get(f"/api/watchlist/{done.item_id}/episodes").get_json()
    assert [e["download"]["resolution"] for e in listed] == [1080]
    login(client)
    detail = client.get(f"/watchlist/{done.item_id}").get_data(as_text=True)
    row_html = detail.split('id="ep-1"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge resolution" title="video height">1080p</span>' in row_html
    page = client.get("/downloads").get_data(as_text=True)
    row_html = page.split(f'id="download-{done.id}"', 1)[1].split("</tr>", 1)[0]
    assert "1080p</span>" in row_html
