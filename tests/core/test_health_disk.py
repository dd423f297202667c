"""GET /healthz's `disk` (issue 15): free space of DOWNLOAD_DIR and the library's size,
walked at most once a minute."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

KB = 1024


def test_disk_reports_the_library_size_and_free_space(app: Any, client: Any) -> None:
    library = Path(app.config["DOWNLOAD_DIR"])
    (library / "Frieren" / "Season 01").mkdir(parents=True)
    (library / "Frieren" / "Season 01" / "Frieren - S01E01.mp4").write_bytes(b"x" * 300 * KB)
    (library / "Frieren" / "tvshow.nfo").write_bytes(b"y" * 2 * KB)
    (library / ".partial").mkdir()
    (library / ".partial" / "7.part").write_bytes(b"z" * 500 * KB)   # not in the library yet

    body = client.get("/healthz").get_json()
    disk = body["disk"]
    assert body["checks"]["disk"] == disk and set(disk) == {"free_bytes", "library_bytes"}
    assert disk["library_bytes"] == 302 * KB
    free = shutil.disk_usage(library).free
    assert abs(disk["free_bytes"] - free) < 64 * 1024 * KB   # the same disk, give or take

    # Walked once a minute: a new file shows after that, not on every probe.
    (library / "Frieren" / "Season 01" / "Frieren - S01E02.mp4").write_bytes(b"x" * 100 * KB)
    assert client.get("/healthz").get_json()["checks"]["disk"]["library_bytes"] == 302 * KB
    from webapp.infra.disk import library_bytes

    assert library_bytes(library, max_age=0) == 402 * KB


def test_a_library_not_created_yet_is_empty(app: Any, client: Any) -> None:
    app.config["DOWNLOAD_DIR"] = str(Path(app.config["DOWNLOAD_DIR"]) / "not" / "yet")
    disk = client.get("/healthz").get_json()["checks"]["disk"]
    assert disk["library_bytes"] == 0 and disk["free_bytes"] > 0
