"""The library's poster copies are the cache's re-encoded JPEG: a copy an earlier version
wrote as the site sent it is replaced, the user's own poster is left alone, and a season
whose source shows another poster gets its own season poster."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.download_helpers import MediaServer
from tests.library.test_library_updates import _download_episode, _run_all, _seed
from tests.poster_images import cache_file, decoded, poster_jpeg, transparent_png

APP_CONFIG = {"HTTP_RETRIES": 0, "MAX_PARALLEL_DOWNLOADS": 3, "MEDIA_REFRESH_DEBOUNCE_SECONDS": 0,
              "DOWNLOAD_RETRY_INTERVALS": (0, 0)}
SHOW = "Frieren & Friends"


def _use_poster(media: MediaServer, source_id: int, path: str, data: bytes) -> str:
    from webapp.extensions import db
    from webapp.models import Source

    url = media.add(path, data)
    db.session.get(Source, source_id).poster_image = url
    db.session.commit()
    return url


def _earlier_show_folder(root: Path, name: str, data: bytes, ours: bool) -> Path:
    """A show folder as an earlier version left it: `name` holding the site's bytes."""
    from webapp.library.metadata import SIDECAR

    show = root / SHOW
    show.mkdir(parents=True)
    (show / name).write_bytes(data)
    if ours:
        (show / SIDECAR).write_text(json.dumps({name: hashlib.sha256(data).hexdigest()}))
    return show


@pytest.mark.parametrize("name, data", [("poster.png", transparent_png((1000, 1500))),
                                        ("poster.jpg", poster_jpeg((1200, 1800)))],
                         ids=["png", "jpg"])
def test_a_poster_an_earlier_version_copied_raw_becomes_the_resized_jpeg(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any, name: str,
        data: bytes) -> None:
    from webapp.library.metadata import SIDECAR

    user = make_user("alice")
    source_id, _, _ = _seed(media, user.id, episodes=1)
    url = _use_poster(media, source_id, f"/site-{name}", data)
    show = _earlier_show_folder(Path(ctx.config["DOWNLOAD_DIR"]).resolve(), name, data, True)
    _run_all(redis_conn)

    resized = cache_file(Path(ctx.instance_path), url, "resized.jpg").read_bytes()
    assert (show / "poster.jpg").read_bytes() == resized
    assert decoded(resized).size == (600, 900)
    assert sorted(p.name for p in show.glob("*poster*")) == ["poster.jpg"]
    written = json.loads((show / SIDECAR).read_text())
    assert written["poster.jpg"] == hashlib.sha256(resized).hexdigest()
    assert "poster.png" not in written


def test_the_users_own_poster_is_left_alone(ctx: Any, make_user: Any, media: MediaServer,
                                            redis_conn: Any) -> None:
    user = make_user("alice")
    _seed(media, user.id, episodes=1)
    mine = transparent_png((800, 1200))
    show = _earlier_show_folder(Path(ctx.config["DOWNLOAD_DIR"]).resolve(), "poster.png", mine,
                                False)
    _run_all(redis_conn)
    assert (show / "poster.png").read_bytes() == mine
    assert sorted(p.name for p in show.glob("*poster*")) == ["poster.png"]


def test_another_poster_for_the_season_gets_its_own_resized_season_poster(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    user = make_user("alice")
    source_id, item_id, _ = _seed(media, user.id, episodes=1)
    _run_all(redis_conn)
    show = Path(ctx.config["DOWNLOAD_DIR"]).resolve() / SHOW
    first = (show / "poster.jpg").read_bytes()

    _use_poster(media, source_id, "/season.png", transparent_png((900, 900)))
    _download_episode(media, redis_conn, user.id, source_id, item_id, 2)

    assert (show / "poster.jpg").read_bytes() == first
    assert decoded((show / "season01-poster.jpg").read_bytes()).size == (600, 600)
