"""The Activity page and the downloads page's figures (issue 15): history newest first,
paged, filtered, one user's only, refreshed by a cheap poll; disk figures, clearing, and
watching or saving a downloaded episode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.page_helpers import add_episodes, add_items, post, quick_user, session_login

HX = {"HX-Request": "true"}


def _record(app: Any, user: Any, count: int, kind: str = "check_nothing",
            title: str = "Show 0", item_id: str | None = None) -> None:
    from webapp.extensions import db
    from webapp.notifications.activity import Event, record_many

    with app.app_context():
        record_many(Event(user.id, kind, f"Checked: nothing new ({n}).", item_id, title)
                    for n in range(count))
        db.session.commit()


def _pause(app: Any, user: Any, item_id: str) -> None:
    from webapp.watchlist.manager import WatchlistManager

    with app.app_context():
        WatchlistManager(user.id).pause(item_id)


def test_the_page_lists_events_newest_first_with_links_and_escaping(
        logged: Any, app: Any, alice: Any) -> None:
    [item_id] = add_items(app, alice, 1, anime_title="<b>Bold</b> & Co")
    _pause(app, alice, item_id)
    html = logged.get("/activity").get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co</a> paused." in html and "<b>Bold</b>" not in html
    assert 'data-kind="status_changed"' in html
    assert f'href="/activity?item_id={item_id}"' in html
    assert 'href="/activity" aria-current="page">Activity</a>' in html   # in the header


def test_paging_filters_and_isolation(logged: Any, app: Any, alice: Any) -> None:
    bob = quick_user(app, "bob")
    _record(app, bob, 3, title="Bob's show")
    _record(app, alice, 60)
    _record(app, alice, 1, kind="check_failed")
    first = logged.get("/activity").get_data(as_text=True)
    assert "Bob" not in first
    assert first.count('class="note activity-event"') == 50
    assert first.index('data-kind="check_failed"') < first.index('data-kind="check_nothing"')
    assert 'rel="next"' in first
    older = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = logged.get(older).get_data(as_text=True)
    assert second.count('class="note activity-event"') == 11 and 'rel="next"' not in second
    assert "hx-trigger" not in second.split('id="activity"')[1].split(">")[0]  # no polling
    only = logged.get("/activity?kind=check_failed").get_data(as_text=True)
    assert only.count('class="note activity-event"') == 1
    resp = logged.get("/activity?kind=<script>")
    assert resp.status_code == 422 and "<script>" not in resp.get_data(as_text=True)
    assert logged.get("/activity?before=abc").status_code == 422


def test_the_open_page_polls_cheaply_and_refreshes_when_something_happened(
        logged: Any, app: Any, alice: Any) -> None:
    [item_id] = add_items(app, alice, 1)
    html = logged.get("/activity").get_data(as_text=True)
    section = html.split('id="activity"')[1].split(">")[0]
    poll = section.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    assert "since=0" in poll
    assert 'hx-trigger="live-items from:body, live-downloads from:body"' in section
    unchanged = logged.get(poll, headers=HX)
    assert unchanged.status_code == 204 and unchanged.data == b""
    _pause(app, alice, item_id)
    changed = logged.get(poll, headers=HX)
    assert changed.status_code == 200
    fragment = changed.get_data(as_text=True)
    assert "<html" not in fragment and "Show 0</a> paused." in fragment
    assert "since=0" not in fragment                   # the next poll asks from the new event


def _completed(app: Any, alice: Any, name: str, size: int = 4096) -> tuple[str, int, bytes]:
    library = Path(app.config["DOWNLOAD_DIR"]) / "Show 0" / "Season 01"
    library.mkdir(parents=True, exist_ok=True)
    data = bytes(range(256)) * (size // 256)
    (library / name).write_bytes(data)
    [item_id] = add_items(app, alice, 1, anime_url=f"https://files.example.org/x/{name}/")
    made = add_episodes(app, item_id, [1.0, 2.0], {
        1.0: {"status": "completed", "path": str(library / name), "bytes_done": size,
              "bytes_total": size},
        2.0: {"status": "failed", "error": "every player failed"}})
    return item_id, made[1.0], data


def test_the_downloads_page_shows_sizes_disk_room_and_clears(
        logged: Any, app: Any, alice: Any) -> None:
    _item, download_id, _ = _completed(app, alice, "Show 0 - S01E01.mp4", size=300 * 1024)
    html = logged.get("/downloads").get_data(as_text=True)
    assert 'id="library-size">300.0 KB<' in html and 'id="free-space">' in html
    assert '<td data-label="Size" class="size">300.0 KB</td>' in html
    assert f'href="/downloads/{download_id}/watch"' in html
    assert "Clear finished" in html and "Clear failed" in html

    resp = post(logged, "/downloads/clear", {"status": "failed"}, token_from="/downloads")
    assert resp.status_code == 303
    html = logged.get("/downloads").get_data(as_text=True)
    assert "Failed (0)" in html and "every player failed" not in html
    fragment = post(logged, "/downloads/clear", {"status": ["completed", "cancelled"]},
                    htmx=True, token_from="/downloads").get_data(as_text=True)
    assert "<html" not in fragment and "Nothing finished yet." in fragment
    # The file and the library's size stay.
    assert logged.get(f"/downloads/{download_id}/file").status_code == 200


def test_watching_plays_an_mp4_and_offers_other_files_to_save(
        logged: Any, app: Any, alice: Any, client: Any) -> None:
    _item, mp4, data = _completed(app, alice, "Show 0 - S01E01.mp4")
    page = logged.get(f"/downloads/{mp4}/watch").get_data(as_text=True)
    assert f'<video id="player" class="player" controls preload="metadata"\n' \
           f'         src="/downloads/{mp4}/file"' in page
    part = logged.get(f"/downloads/{mp4}/file", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == data[10:20]
    assert part.mimetype == "video/mp4"
    saved = logged.get(f"/downloads/{mp4}/file?save=1")
    assert saved.headers["Content-Disposition"].startswith("attachment")

    _item2, mkv, _ = _completed(app, alice, "Show 0 - S01E02.mkv")
    page = logged.get(f"/downloads/{mkv}/watch").get_data(as_text=True)
    assert "<video" not in page and "Browsers cannot play this kind of file (MKV)" in page
    assert f'href="/downloads/{mkv}/file?save=1"' in page

    bob = quick_user(app, "bob")
    other = app.test_client()
    session_login(other, bob)
    assert other.get(f"/downloads/{mp4}/file").status_code == 404
    assert other.get(f"/downloads/{mp4}/watch").status_code == 404
