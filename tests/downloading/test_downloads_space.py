"""Disk space: the free-space check before a transfer, and a real disk-full while writing.

The disk is a real 4 MiB tmpfs mounted for the test (`mount -t tmpfs`, possible here as
root), so the kernel itself answers ENOSPC. Where mounting is not permitted, the test
falls back to a file-size limit (RLIMIT_FSIZE, EFBIG) in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fixtures.hosts.servers import FIXTURES, RangeFile, StaticTree, serve
from webapp.downloading.engines.base import NotEnoughSpace
from webapp.downloading.engines.space import check_free_space
from webapp.downloading.engines.transfer import transfer
from webapp.sites.http.client import HttpClient
from webapp.sites.types import MediaSource

DATA = os.urandom(8 * 1024 * 1024)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 4 MiB tmpfs (None when this machine does not let us mount one)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        yield None
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def http() -> HttpClient:
    return HttpClient(None, allow_private="127.0.0.1", rate_per_host=0, retries=0)


def fetch(base: str, part: Path) -> None:
    transfer(http(), MediaSource(f"{base}/ep.mp4"), part, lambda *a: None,
             max_bytes=10**10, should_stop=lambda: False)


def test_check_free_space_explains_the_figures(tmp_path: Path) -> None:
    check_free_space(tmp_path, 1024)
    check_free_space(tmp_path, None)
    with pytest.raises(NotEnoughSpace, match=r"not enough space \(needs 1024.0 TB, has "):
        check_free_space(tmp_path, 1024**5)


def test_declared_size_larger_than_the_disk_fails_before_writing(small_disk, tmp_path) -> None:
    if small_disk is None:
        pytest.skip("cannot mount a tmpfs here; the free-space figures are checked above")
    part = small_disk / ".partial" / "1.part"
    with serve(RangeFile(DATA)) as base:
        with pytest.raises(NotEnoughSpace, match=r"needs 8.0 MB, has 4.0 MB") as info:
            fetch(base, part)
    assert not info.value.retryable
    assert not part.exists()


def test_disk_full_while_writing_is_not_enough_space(small_disk, tmp_path) -> None:
    chunked = RangeFile(DATA, send_length=False)  # the size is unknown until the end
    if small_disk is not None:
        part = small_disk / ".partial" / "2.part"
        with serve(chunked) as base:
            with pytest.raises(NotEnoughSpace, match="not enough space") as info:
                fetch(base, part)
        assert "free some space" in str(info.value)
        assert 0 < part.stat().st_size <= 4 * 1024 * 1024
        return
    # Fallback: a 2 MiB file-size limit in a subprocess (EFBIG instead of ENOSPC).
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 20, 2 << 20))
        from tests.downloading.test_downloads_space import fetch
        from webapp.downloading.engines.base import NotEnoughSpace
        try:
            fetch(sys.argv[1], Path({str(tmp_path / '2.part')!r}))
        except NotEnoughSpace as exc:
            print("NotEnoughSpace", exc)
    """)
    with serve(chunked) as base:
        out = subprocess.run([sys.executable, "-c", script, base], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert out.stdout.startswith("NotEnoughSpace not enough space"), out.stderr


def test_disk_filling_up_during_a_sized_transfer(small_disk) -> None:
    """The size fits when the transfer starts; another writer then fills the tmpfs."""
    if small_disk is None:
        pytest.skip("cannot mount a tmpfs here")
    data = DATA[: 3 * 1024 * 1024]
    part = small_disk / ".partial" / "3.part"
    filler = small_disk / "filler"

    def progress(done: int, total: int | None, speed: float) -> None:
        if not filler.exists():
            with open(filler, "wb") as fh:  # takes what is left but ~1 MiB
                fh.write(b"\0" * (2 * 1024 * 1024))

    with serve(RangeFile(data)) as base:
        with pytest.raises(NotEnoughSpace, match="not enough space"):
            transfer(http(), MediaSource(f"{base}/ep.mp4"), part, progress,
                     max_bytes=10**10, should_stop=lambda: False)
    assert part.stat().st_size < len(data)


def test_hls_download_larger_than_the_free_space_stops_early(small_disk) -> None:
    """HLS sizes are unknown up front: after the first fragment, yt-dlp's size estimate
    is checked against the free space, so a full disk fails early and clearly."""
    if small_disk is None:
        pytest.skip("cannot mount a tmpfs here")
    filler = small_disk / "filler"
    with open(filler, "wb") as fh:  # leave ~40 KB: less than one variant's segments
        fh.write(b"\0" * (4 * 1024 * 1024 - 40 * 1024))
    part = small_disk / ".partial" / "4.part"
    with serve(StaticTree(FIXTURES / "hls")) as base:
        with pytest.raises(NotEnoughSpace, match="not enough space"):
            transfer(http(), MediaSource(f"{base}/master.m3u8", kind="hls"), part,
                     lambda *a: None, max_bytes=10**10, should_stop=lambda: False)


def test_a_full_disk_that_could_hold_the_file_is_retried_later(small_disk) -> None:
    """2 MB do not fit in what is left of the 4 MB disk, but would once space is freed:
    the error says so and is retryable (the download's backoff retries it)."""
    if small_disk is None:
        pytest.skip("cannot mount a tmpfs here")
    (small_disk / "filler").write_bytes(b"\0" * (3 * 1024 * 1024))
    part = small_disk / ".partial" / "5.part"
    with serve(RangeFile(DATA[: 2 * 1024 * 1024])) as base:
        with pytest.raises(NotEnoughSpace, match="tried again by itself") as info:
            fetch(base, part)
    assert info.value.retryable
    (small_disk / "filler").unlink()
    with serve(RangeFile(DATA[: 2 * 1024 * 1024])) as base:
        fetch(base, part)
    assert part.stat().st_size == 2 * 1024 * 1024
