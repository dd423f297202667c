"""A download started from the detail page: the bar advances and finishes without a reload
(a real `rq worker` process, a throttled local media server)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, mark_page, not_reloaded, screenshot
from tests.download_helpers import MediaServer, file_player, media_bytes, seed_item, worker_env
from tests.e2e.processes import Processes

pytestmark = pytest.mark.browser
BIN = Path(sys.executable).parent
SIZE = 3 * 1024 * 1024


@pytest.fixture
def media() -> Iterator[MediaServer]:
    server = MediaServer().start()
    server.rate = 700 * 1024  # about four seconds for the file
    yield server
    server.stop()


@pytest.fixture
def downloader(app: Any, tmp_path: Path) -> Iterator[Processes]:
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Processes(worker_env(app), logs)
    procs.start("downloader", [str(BIN / "rq"), "worker", "--url", app.config["REDIS_URL"],
                               "--worker-class", "workers.context.AppWorker",
                               "--name", f"browser-dl-{id(procs)}", "downloads"])
    yield procs
    procs.stop_all()


def _progress(page: Any) -> float:
    return float(page.locator("#episodes progress").get_attribute("value") or 0)


def test_download_progress_advances_and_finishes(page: Any, live: str, app: Any, users: dict,
                                                 media: MediaServer,
                                                 downloader: Processes) -> None:
    url = media.add("/frieren-01.mp4", media_bytes(SIZE))
    with app.app_context():
        _source, item_id = seed_item(users["alice"].id, {1: [file_player(url)], 2: []},
                                     item_title="Frieren", source_title="Frieren")
    log_in(page, live)
    page.goto(f"{live}/watchlist/{item_id}")
    mark_page(page)
    page.locator("#ep-1").get_by_role("button", name="Download").click()
    bar = page.locator("#episodes progress")
    expect(bar).to_be_visible(timeout=20_000)
    expect(bar).to_have_attribute("max", str(SIZE))
    first = _progress(page)
    # Polled from here: the page's CSP forbids the eval that wait_for_function's polling uses.
    deadline = time.monotonic() + 10
    while page.evaluate(f"Number(document.querySelector('#episodes progress')?.value "
                        f"|| {SIZE})") <= first:
        assert time.monotonic() < deadline, "the progress bar did not advance"
        page.wait_for_timeout(100)
    screenshot(page, "detail-downloading")
    expect(page.locator("#episodes .badge.completed")).to_have_text("downloaded",
                                                                   timeout=30_000)
    expect(page.locator("#episodes")).to_contain_text("Frieren - S01E01.mp4")
    assert not_reloaded(page), "the page reloaded instead of updating in place"
    page.goto(live + "/downloads")
    expect(page.get_by_text("Recently finished")).to_be_visible()
    screenshot(page, "downloads")
    assert downloader.procs["downloader"].poll() is None, downloader.logs()
