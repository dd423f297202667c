"""Activity and the downloads page in Chromium (issue 15): the history updates on an open
page, the downloads page shows sizes and the library's room and clears finished rows in
place, and a downloaded episode plays in a <video> fed by Range requests (206)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, log_in, mark_page, not_reloaded, screenshot
from tests.page_helpers import add_episodes, add_items

pytestmark = pytest.mark.browser
SIZE = 512 * 1024


def _seed(app: Any, user: Any) -> tuple[str, int]:
    """Frieren with episode 1 in the library (an .mp4) and episode 2 failed; paused once."""
    from webapp.watchlist.manager import WatchlistManager

    folder = Path(app.config["DOWNLOAD_DIR"]) / "Frieren" / "Season 01"
    folder.mkdir(parents=True)
    path = folder / "Frieren - S01E01.mp4"
    path.write_bytes(bytes(range(256)) * (SIZE // 256))
    (item_id,) = add_items(app, user, 1, anime_title="Frieren",
                           anime_url="https://files.example.org/anime/frieren/")
    made = add_episodes(app, item_id, [1.0, 2.0], {
        1.0: {"status": "completed", "path": str(path), "bytes_done": SIZE,
              "bytes_total": SIZE},
        2.0: {"status": "failed", "error": "every player failed"}})
    with app.app_context():
        WatchlistManager(user.id).pause(item_id)
    return item_id, made[1.0]


def _fits(page: Any) -> bool:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width <= inner


def test_activity_updates_on_an_open_page(page: Any, live: str, app: Any, users: dict) -> None:
    from webapp.watchlist.manager import WatchlistManager

    item_id, _ = _seed(app, users["alice"])
    log_in(page, live)
    page.get_by_role("link", name="Activity").click()
    page.wait_for_url(live + "/activity")
    events = page.locator("#activity .activity-event")
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text("Frieren paused.")
    mark_page(page)
    started = time.monotonic()
    with app.app_context():
        WatchlistManager(users["alice"].id).resume(item_id)   # as a worker would, elsewhere
    expect(events.first).to_contain_text("Frieren resumed.", timeout=5_000)
    assert time.monotonic() - started < 5.5
    assert not_reloaded(page), "the page reloaded instead of updating in place"
    expect(page.locator("#activity .badge").first).to_have_text("status")
    screenshot(page, "activity")
    page.set_viewport_size(PHONE)
    assert _fits(page), "the activity page scrolls sideways at 390 px"


def test_downloads_page_figures_clear_and_play(page: Any, live: str, app: Any,
                                               users: dict) -> None:
    _item_id, download_id = _seed(app, users["alice"])
    log_in(page, live)
    page.goto(live + "/downloads")
    expect(page.locator("#library-size")).to_have_text("512.0 KB")
    expect(page.locator("#free-space")).not_to_have_text("unknown")
    done = page.locator(f"#download-{download_id}")
    expect(done.locator("td.size")).to_have_text("512.0 KB")
    expect(done.get_by_role("link", name="Watch")).to_be_visible()
    screenshot(page, "downloads-figures")
    page.set_viewport_size(PHONE)
    assert _fits(page), "the downloads page scrolls sideways at 390 px"
    page.set_viewport_size({"width": 1280, "height": 860})

    mark_page(page)
    page.get_by_role("button", name="Clear failed").click()
    expect(page.get_by_text("No failed downloads.")).to_be_visible()
    expect(done).to_be_visible()
    assert not_reloaded(page)

    # Watch: the <video> asks for the file by Range and gets 206 answers.
    statuses: list[tuple[int, str | None]] = []
    page.on("response", lambda r: statuses.append((r.status, r.request.headers.get("range")))
            if f"/downloads/{download_id}/file" in r.url else None)
    done.get_by_role("link", name="Watch").click()
    page.wait_for_url(f"{live}/downloads/{download_id}/watch")
    expect(page.locator("video#player")).to_have_attribute(
        "src", f"/downloads/{download_id}/file")
    deadline = time.monotonic() + 10
    while not any(status == 206 for status, _ in statuses):
        assert time.monotonic() < deadline, f"no 206 for the player: {statuses}"
        page.wait_for_timeout(100)
    assert all(rng for status, rng in statuses if status == 206)
    expect(page.get_by_role("link", name="Save file")).to_have_attribute(
        "href", f"/downloads/{download_id}/file?save=1")
    page.set_viewport_size(PHONE)
    assert _fits(page), "the watch page scrolls sideways at 390 px"

    page.goto(live + "/downloads")
    page.get_by_role("button", name="Clear finished").click()
    expect(page.get_by_text("Nothing finished yet.")).to_be_visible()
    expect(page.locator("#library-size")).to_have_text("512.0 KB")   # the file stays
