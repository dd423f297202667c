"""Downloads through real `rq worker` processes: the limits hold with more workers than
slots, a worker killed with SIGKILL mid-file resumes with a 206, and cancel stops a job."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from rq import Worker
from rq.registry import StartedJobRegistry

from tests.download_helpers import (
    MediaServer,
    Served,
    add_download,
    file_player,
    kill_worker_and_horse,
    media_bytes,
    row,
    seed_item,
    set_user_limit,
    wait_for,
    worker_env,
)
from tests.e2e.processes import Processes

BIN = Path(sys.executable).parent


@pytest.fixture
def procs(app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    app.config["DOWNLOAD_HEARTBEAT_SECONDS"] = 1
    app.config["MAX_PARALLEL_DOWNLOADS"] = 3
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = Processes(worker_env(app, DOWNLOAD_HEARTBEAT_SECONDS="1"), logs)
    with app.app_context():
        yield processes
    for proc in processes.procs.values():  # stop them all at once, then wait
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    processes.stop_all()


def start_worker(procs: Processes, name: str) -> Any:
    return procs.start(name, [str(BIN / "rq"), "worker", "--url", procs.env["REDIS_URL"],
                              "--worker-class", "workers.context.AppWorker", "--name",
                              f"{name}-{id(procs)}", "downloads"])


def max_overlap(records: list[Served]) -> int:
    """The most transfers that were in flight at the same moment."""
    events = sorted([(r.started, 1) for r in records] + [(r.ended, -1) for r in records])
    current = peak = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def test_limits_hold_with_more_downloader_processes_than_slots(
        procs: Processes, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    media.rate = 4 * 1024 * 1024  # half a second per file
    owners = {"alice": (2, 5), "bob": (2, 4), "carol": (1, 3)}  # limit, episodes
    ids = []
    for name, (limit, count) in owners.items():
        user = make_user(name)
        set_user_limit(user.id, limit)
        episodes = {n: [file_player(media.add(f"/{name}/{n}.mp4", media_bytes(2 * 1024 * 1024, n)))]
                    for n in range(1, count + 1)}
        _, item_id = seed_item(user.id, episodes, key=name, source_title=name)
        ids += [add_download(user.id, item_id, n) for n in episodes]
    for n in range(5):
        start_worker(procs, f"downloader{n}")
    wait_for(lambda: Worker.count(connection=redis_conn) == 5, 60, "five downloaders")

    dispatch_pending()
    try:
        wait_for(lambda: all(row(i).status == "completed" for i in ids), 90, "every download")
    except AssertionError:
        raise AssertionError(procs.logs()) from None

    records = media.transfers()
    assert len(records) == len(ids)
    assert max_overlap(records) == 3  # the global limit is reached, never exceeded
    for name, (limit, _) in owners.items():
        mine = [r for r in records if r.path.startswith(f"/{name}/")]
        assert max_overlap(mine) <= limit
    assert max_overlap([r for r in records if r.path.startswith("/alice/")]) == 2


def test_a_worker_killed_mid_file_resumes_with_a_206(
        procs: Processes, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending
    from webapp.downloading.recovery import recover_stalled
    from webapp.infra.keys import download_heartbeat

    size = 24 * 1024 * 1024
    data = media_bytes(size)
    media.rate = 8 * 1024 * 1024  # three seconds for the whole file
    user = make_user("alice")
    _, item_id = seed_item(user.id, {1: [file_player(media.add("/big.mp4", data))]})
    download_id = add_download(user.id, item_id, 1)
    first = start_worker(procs, "downloader-a")
    dispatch_pending()

    wait_for(lambda: media.bytes_sent("/big.mp4") > size * 0.35, 30, "a third of the file")
    horses = kill_worker_and_horse(first.pid)
    assert horses, "the worker had no work-horse"
    assert row(download_id).status == "running"
    wait_for(lambda: not redis_conn.exists(download_heartbeat(download_id)), 10, "the heartbeat")
    sent_before = media.bytes_sent("/big.mp4")

    # the first tick only notes the silence; one half a heartbeat period later recovers it
    assert recover_stalled() == 0
    wait_for(lambda: recover_stalled() == 1, 5, "the recovery")
    started = StartedJobRegistry("downloads", connection=redis_conn)
    assert f"download-{download_id}" not in started.get_job_ids()  # the dead job is gone
    start_worker(procs, "downloader-b")
    try:
        wait_for(lambda: row(download_id).status == "completed", 60, "the resumed download")
    except AssertionError:
        raise AssertionError(procs.logs()) from None

    done = row(download_id)
    assert Path(done.path).read_bytes() == data
    transfers = media.transfers("/big.mp4")
    assert [t.status for t in transfers] == [200, 206]
    assert 0 < transfers[1].offset <= sent_before
    fetched_twice = media.bytes_sent("/big.mp4") - size
    print(f"\nSIGKILL resume: killed after {sent_before / size:.0%} sent; resumed at byte "
          f"{transfers[1].offset}; fetched twice {fetched_twice} bytes "
          f"({fetched_twice / size:.2%} of {size})")
    assert fetched_twice < size * 0.10
    assert done.attempts == 2


def test_cancel_stops_the_job_of_a_real_worker(
        procs: Processes, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.control import cancel
    from webapp.downloading.dispatch import dispatch_pending

    size = 16 * 1024 * 1024
    media.rate = 2 * 1024 * 1024
    user = make_user("alice")
    set_user_limit(user.id, 1)
    _, item_id = seed_item(user.id, {1: [file_player(media.add("/1.mp4", media_bytes(size)))],
                                     2: [file_player(media.add("/2.mp4",
                                                               media_bytes(256 * 1024)))]})
    first = add_download(user.id, item_id, 1)
    second = add_download(user.id, item_id, 2)
    start_worker(procs, "downloader")
    dispatch_pending()
    part = Path(procs.env["DOWNLOAD_DIR"]) / ".partial" / f"{first}.part"
    wait_for(lambda: part.exists() and part.stat().st_size > 0, 30, "the part file")

    assert cancel(user.id, first).status == "cancelled"
    wait_for(lambda: row(second).status == "completed", 30, "the next download")
    assert not part.exists()
    assert media.bytes_sent("/1.mp4") < size
    assert row(first).status == "cancelled"
