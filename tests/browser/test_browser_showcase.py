"""A lived-in watchlist in the browser, light and dark: every status, errors, downloads and
notifications render as they should (these screenshots illustrate the README)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, screenshot
from tests.page_helpers import add_episodes, add_items

pytestmark = pytest.mark.browser
SHOWS = [
    ("Frieren: Beyond Journey's End", "active", "#5b5bd6", None),
    ("Dandadan", "active", "#d65b8a", None),
    ("The Apothecary Diaries", "paused", "#3aa17e", None),
    ("Solo Leveling", "active", "#c9823a",
     "The site answered 503 three times in a row; it will be tried again in 6 h."),
    ("Mushoku Tensei", "completed", "#6b7fa8", None),
    ("Blue Lock", "active", "#2d8fd6", None),
]


def _poster(color: str, title: str) -> str:
    initials = "".join(w[0] for w in title.split()[:2])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="90" height="128">'
            f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
            f'<stop offset="0" stop-color="{color}"/><stop offset="1" stop-color="#1c1f2a"/>'
            f'</linearGradient></defs><rect width="90" height="128" fill="url(#g)"/>'
            f'<text x="45" y="74" font-family="sans-serif" font-size="30" fill="#fff" '
            f'text-anchor="middle">{initials}</text></svg>')


def _seed(app: Any, alice: Any, site: Any) -> list[str]:
    from webapp.clock import utcnow
    from webapp.extensions import db
    from webapp.models import WatchlistItem
    from webapp.notifications.inbox import notify

    ids = []
    for n, (title, status, color, error) in enumerate(SHOWS):
        site.set_page(f"/posters/{n}.svg", _poster(color, title), content_type="image/svg+xml")
        (item_id,) = add_items(app, alice, 1, anime_title=title,
                               anime_url=f"https://files.example.org/anime/{n}/",
                               poster_image=f"{site.url}/posters/{n}.svg",
                               genres=["Fantasy", "Adventure"],
                               synopsis="An elf mage outlives the hero's party and sets out "
                                        "to understand the people she travelled with.")
        ids.append(item_id)
        with app.app_context():
            item = db.session.get(WatchlistItem, item_id)
            item.status, item.last_error = status, error
            item.last_checked_at = utcnow() - timedelta(hours=n + 1)
            item.next_check_at = item.last_checked_at + timedelta(hours=6)
            db.session.commit()
    add_episodes(app, ids[0], [1, 2, 3, 4, 5, 6], {
        1: {"status": "completed", "path": "/library/Frieren/Season 01/Frieren - S01E01.mkv"},
        2: {"status": "completed", "path": "/library/Frieren/Season 01/Frieren - S01E02.mkv"},
        3: {"status": "completed", "path": "/library/Frieren/Season 01/Frieren - S01E03.mkv"},
        4: {"status": "failed", "error": "Every player failed: Sibnet answered 404 (video "
                                         "removed); Vidmoly timed out."},
        5: {"status": "queued"},
    })
    with app.app_context():
        item = db.session.get(WatchlistItem, ids[0])
        item.last_episode_downloaded = 3
        notify(alice.id, "new_episodes", "3 new episodes of Frieren: 4, 5, 6")
        notify(alice.id, "download_failed", "Frieren episode 4 failed: every player failed.")
        notify(alice.id, "download_completed", "Frieren episode 3 is in your library.")
        db.session.commit()
    return ids


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_lived_in_watchlist(page: Any, live: str, app: Any, users: dict, fixture_site: Any,
                              scheme: str) -> None:
    ids = _seed(app, users["alice"], fixture_site)
    page.emulate_media(color_scheme=scheme)
    log_in(page, live)
    expect(page.locator(".item")).to_have_count(len(SHOWS))
    expect(page.locator(".badge.paused")).to_have_count(1)
    expect(page.locator(".check-error")).to_contain_text("503 three times")
    expect(page.locator("#bell .count")).to_have_text("3")
    suffix = "" if scheme == "light" else "-dark"
    screenshot(page, f"showcase-watchlist{suffix}")
    page.goto(f"{live}/watchlist/{ids[0]}")
    expect(page.locator("#episodes .badge.completed")).to_have_count(3)
    expect(page.locator("#episodes")).to_contain_text("Sibnet answered 404")
    screenshot(page, f"showcase-detail{suffix}")
    page.goto(live + "/downloads")
    expect(page.get_by_text("Failed (1)")).to_be_visible()
    screenshot(page, f"showcase-downloads{suffix}")
