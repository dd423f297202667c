"""End to end: the real stack (gunicorn, RQ workers, the cron tick) brings new episodes in.

Nobody calls anything after adding the anime: the cron tick finds the new item due, a
worker checks the (local) anime-sama site, the downloader fetches each episode through
the Sibnet host module, and the files land in the library, each once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import update

from tests.e2e.processes import Processes, site_env, told_episodes, wait_until
from tests.helpers import free_port
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import WatchlistItem

pytestmark = pytest.mark.e2e

KEY = "/catalogue/frieren/saison1/vostfr/"


def library_files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.mp4")
                  if ".partial" not in p.parts)


@pytest.fixture
def stack(app, fixture_site, database_url, redis_url, tmp_path, make_api):
    """The stack as `make run` starts it (the Procfile's `app`), set for the fixture site."""
    api = make_api("alice")
    library = tmp_path / "library"
    env = site_env(fixture_site.url, database_url, redis_url, tmp_path, CRON_TICK_SECONDS="2")
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    procs = Processes(env, log_dir)
    port = free_port()
    try:
        procs.stack(port)
        yield procs, f"http://127.0.0.1:{port}", api.token, library
    finally:
        procs.stop_all()
        if os.environ.get("E2E_SHOW_LOGS"):
            print(procs.logs())


def watch(base: str, headers: dict, body: dict) -> tuple[str, Callable[[], dict]]:
    """Add an item through the API; its id and a function reading it as the API has it."""
    created = requests.post(f"{base}/api/watchlist", json=body, headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]

    def item() -> dict:
        return requests.get(f"{base}/api/watchlist/{item_id}", headers=headers,
                            timeout=10).json()

    return item_id, item


def test_new_episodes_arrive_with_nobody_watching(app, stack, fixture_site):
    procs, base, token, library = stack
    headers = {"Authorization": f"Bearer {token}"}
    item_id, item = watch(base, headers, {
        "anime_title": "Frieren", "anime_url": f"https://anime-sama.si{KEY}",
        "provider_id": "animesama", "lang": "vostfr", "auto_download": True})

    def completed_notifications() -> list[dict]:
        notes = requests.get(f"{base}/api/notifications", headers=headers, timeout=10).json()
        return [n for n in notes if n["kind"] == "download_completed"]

    try:
        wait_until(lambda: item()["last_episode_downloaded"] == 3, 90,
                   "episodes 1-3 downloaded")
    except AssertionError:
        raise AssertionError(f"{item()}\n{procs.logs()}") from None
    assert library_files(library) == [
        f"Frieren/Season 01/Frieren - S01E0{n}.mp4" for n in (1, 2, 3)]
    assert item()["last_episode_available"] == 3
    # three episodes arriving together: one message for the burst (issue 19's digest)
    wait_until(lambda: told_episodes(completed_notifications(), "Frieren") == [1, 2, 3], 20,
               "episodes 1-3 told")
    assert [n["message"] for n in completed_notifications()] == [
        "Frieren S01 complete: 3 episodes in the library."]

    # The whole stack is down while two episodes are published.
    procs.stop("stack")
    fixture_site.publish_episode(KEY, count=2)
    with app.app_context():
        db.session.execute(update(WatchlistItem).where(WatchlistItem.id == item_id)
                           .values(next_check_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    procs.stack(int(base.rsplit(":", 1)[1]))
    try:
        wait_until(lambda: item()["last_episode_downloaded"] == 5, 90,
                   "episodes 4-5 downloaded after the restart")
    except AssertionError:
        raise AssertionError(f"{item()}\n{procs.logs()}") from None
    files = library_files(library)
    assert files == [f"Frieren/Season 01/Frieren - S01E0{n}.mp4" for n in range(1, 6)]
    # two episodes finishing at once may be told together ("complete: 5 episodes") or one
    # by one, never twice
    def second_burst() -> list[str]:
        return [n["message"] for n in completed_notifications()[:-1]]

    def told_once() -> bool:
        messages = second_burst()
        return messages == ["Frieren S01 complete: 5 episodes in the library."] or \
            told_episodes(completed_notifications()[:-1], "Frieren") == [4, 5]

    try:
        wait_until(told_once, 20, "episodes 4-5 told once")
    except AssertionError:
        raise AssertionError(f"{completed_notifications()}\n{procs.logs()}") from None
    # Each episode was transferred once.
    downloads = requests.get(f"{base}/api/downloads", headers=headers, timeout=10).json()
    assert sorted(d["episode"] for d in downloads) == [1, 2, 3, 4, 5]
    assert all(d["status"] == "completed" for d in downloads)
    media = [r for r in fixture_site.requests if r.path.startswith("/media/sibnet-")
             and r.method == "GET"]
    assert len({r.path for r in media}) == 5
    assert len(media) == 5, [r.path for r in media]


def test_with_sibnet_down_the_2026_players_deliver(app, stack, fixture_site):
    """Sibnet answers 500: each episode falls over to AnsEmbed's or Embed4me's HLS stream
    (the site's 2026 players), through the real worker processes."""
    procs, base, token, library = stack
    fixture_site.fail("/shell.php", status=500)
    headers = {"Authorization": f"Bearer {token}"}
    _item_id, item = watch(base, headers, {
        "anime_title": "Frieren", "anime_url": f"https://anime-sama.to{KEY}",
        "auto_download": True})

    try:
        wait_until(lambda: item()["last_episode_downloaded"] == 3, 120,
                   "episodes 1-3 downloaded without Sibnet")
    except AssertionError:
        raise AssertionError(f"{item()}\n{procs.logs()}") from None
    files = library_files(library)
    assert files == [f"Frieren/Season 01/Frieren - S01E0{n}.mp4" for n in (1, 2, 3)]
    assert all((library / f).stat().st_size > 0 for f in files)
    assert not [r for r in fixture_site.requests if r.path.startswith("/media/sibnet-")]
    hls = {r.path.split("/")[2] for r in fixture_site.requests if r.path.startswith("/hls/")}
    assert any(token.startswith("e4m-") for token in hls), hls  # Embed4me's stream
    assert any(not token.startswith("e4m-") for token in hls), hls  # AnsEmbed's stream
