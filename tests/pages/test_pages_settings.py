"""Settings page: automatic downloads, interval, scheduler start/stop, Apprise targets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.page_helpers import add_items, post

HX = {"HX-Request": "true"}


def _settings(app, user):
    from webapp.watchlist.manager import WatchlistManager

    with app.app_context():
        return WatchlistManager(user.id).get_settings()


def test_settings_page_shows_every_section(logged):
    html = logged.get("/settings").get_data(as_text=True)
    for text in ("Automatic checks", "Checking and downloading", "Notification targets",
                 "API tokens", "Password"):
        assert text in html
    # No `rq cron` runs in this test: the page warns that nothing is checked automatically.
    assert "is not running" in html


def test_save_preferences(logged, app, alice):
    resp = post(logged, "/settings/watchlist", {"check_interval_hours": "12",
                                                "max_concurrent_auto_downloads": "4",
                                                "notify_on_new_episodes": "on"}, htmx=True)
    assert resp.status_code == 200 and "Saved." in resp.get_data(as_text=True)
    settings = _settings(app, alice)
    assert (settings.check_interval_hours, settings.max_concurrent_auto_downloads) == (12, 4)
    assert settings.notify_on_new_episodes and not settings.auto_download_enabled


def test_save_completion_weeks_and_fast_detection(logged, app, alice):
    resp = post(logged, "/settings/watchlist", {"check_interval_hours": "6",
                                                "max_concurrent_auto_downloads": "2",
                                                "complete_after_weeks": "8",
                                                "archive_after_weeks": "4",
                                                "notify_season_complete": "on"}, htmx=True)
    assert resp.status_code == 200
    settings = _settings(app, alice)
    assert (settings.complete_after_weeks, settings.archive_after_weeks) == (8, 4)
    assert settings.notify_season_complete and not settings.fast_detection
    page = logged.get("/settings").get_data(as_text=True)
    assert 'name="complete_after_weeks"' in page and 'value="8"' in page


@pytest.mark.parametrize("field,value", [("check_interval_hours", "0"),
                                         ("check_interval_hours", "169"),
                                         ("max_concurrent_auto_downloads", "11"),
                                         ("max_concurrent_auto_downloads", "two"),
                                         ("complete_after_weeks", "-1"),
                                         ("archive_after_weeks", "521")])
def test_out_of_range_settings_are_refused(logged, app, alice, field, value):
    data = {"check_interval_hours": "6", "max_concurrent_auto_downloads": "2", field: value}
    resp = post(logged, "/settings/watchlist", data, htmx=True)
    assert resp.status_code == 422 and f'id="{field}-msg"' in resp.get_data(as_text=True)
    assert _settings(app, alice).check_interval_hours == 6


def test_new_interval_moves_the_next_run(logged, app, alice):
    from webapp.clock import utcnow
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    (item_id,) = add_items(app, alice, 1)
    with app.app_context():
        item = db.session.get(WatchlistItem, item_id)
        item.last_checked_at = utcnow() - timedelta(hours=1)
        item.next_check_at = item.last_checked_at + timedelta(hours=6)
        db.session.commit()
    assert "in 5 h" in logged.get("/settings").get_data(as_text=True)
    resp = post(logged, "/settings/watchlist", {"check_interval_hours": "24",
                                                "max_concurrent_auto_downloads": "2"},
                htmx=True).get_data(as_text=True)
    # The scheduler card is swapped out of band with the new next run.
    assert 'id="scheduler" aria-labelledby="scheduler-h" hx-swap-oob="true"' in resp
    assert "in 23 h" in resp


def test_scheduler_start_and_stop(logged, app, alice):
    html = post(logged, "/settings/scheduler/stop", htmx=True).get_data(as_text=True)
    assert "stopped" in html and "Start automatic checks" in html
    from webapp.extensions import db
    from webapp.models import User

    with app.app_context():
        assert db.session.get(User, alice.id).scheduler_enabled is False
    resp = post(logged, "/settings/scheduler/start")
    assert resp.status_code == 303
    assert "Stop automatic checks" in logged.get("/settings").get_data(as_text=True)


def test_notification_targets_are_checked_by_apprise(logged, app, alice):
    bad = post(logged, "/settings/notifications", {"targets": "json://127.0.0.1/hook\nnope://x"},
               htmx=True)
    assert bad.status_code == 422 and "not a notification URL" in bad.get_data(as_text=True)
    assert _settings(app, alice).notification_urls == []
    app.config["ALLOW_PRIVATE_HOSTS"] = ""  # as installed: no private address allowed
    private = post(logged, "/settings/notifications", {"targets": "json://127.0.0.1/hook"},
                   htmx=True)
    assert private.status_code == 422
    assert "may not send notifications there" in private.get_data(as_text=True)
    app.config["ALLOW_PRIVATE_HOSTS"] = "127.0.0.1"
    ok = post(logged, "/settings/notifications", {"targets": "json://127.0.0.1/hook\n\n"},
              htmx=True)
    assert ok.status_code == 200 and "Saved." in ok.get_data(as_text=True)
    assert _settings(app, alice).notification_urls == ["json://127.0.0.1/hook"]
