"""One item's API document is the list's document of the same item, and the fields computed
from its source and its owner's settings (prediction, `watched_by`, `langs`) read right.

`GET /api/watchlist` renders its list in SQL (webapp.watchlist.listing, timestamps
formatted by the database); one item (`GET /api/watchlist/<id>`, create, update) goes
through the same statement filtered by id (`item_dict`). They must not drift.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from tests.check_helpers import add_user, watch
from webapp.extensions import db
from webapp.infra.site_settings import set_site_feed_enabled
from webapp.models import Source, UserSettings, WatchlistItem
from webapp.watchlist.listing import item_dict, list_item_dicts

ANIME_SAMA = "https://anime-sama.si/catalogue/frieren/saison1/vostfr/"


def test_list_and_single_item_renderers_agree(ctx) -> None:
    user_id = add_user("alice")
    watch(user_id, "https://files.example/plain/", title="Plain")
    watch(user_id, "https://files.example/full/", title="Full « Ünicode »",
          status="completed", auto_download=False, quality_preference="720p",
          last_episode_downloaded=12.5, last_episode_available=13.0,
          last_checked_at=datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
          next_check_at=datetime(2026, 3, 1, 14, 30, 15, tzinfo=UTC),
          last_error="Site unreachable", poster_image="https://files.example/p.jpg",
          synopsis="Line one\nline two", genres=["Action", "Drama"])
    watch(user_id, "https://files.example/paused/", title="Paused", status="paused",
          last_episode_downloaded=0.0, genres=[])
    other = add_user("bob")
    bobs = watch(other, "https://files.example/plain/", title="Not Alice's")
    db.session.expire_all()

    listed = list_item_dicts(user_id)
    single = [item_dict(user_id, d["id"]) for d in listed]

    assert len(listed) == 3
    assert listed == single
    assert {d["anime_title"] for d in listed} == {"Plain", "Full « Ünicode »", "Paused"}
    full = next(d for d in listed if d["anime_title"].startswith("Full"))
    assert full["last_checked_at"] == "2026-03-01T08:30:15Z"
    assert full["last_episode_downloaded"] == 12.5
    assert item_dict(user_id, bobs) is None


def test_prediction_and_watching_fields(ctx) -> None:
    user_id = add_user("alice")
    checked = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    expected = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)
    item_id = watch(user_id, ANIME_SAMA, title="Frieren", last_checked_at=checked,
                    next_check_at=checked + timedelta(hours=2))
    plain = watch(user_id, "https://files.example/plain/", title="Plain",
                  last_checked_at=checked, next_check_at=checked + timedelta(hours=6))
    item = db.session.get(WatchlistItem, item_id)
    item.provider_id, item.lang = "animesama", "vostfr"
    db.session.execute(update(Source).where(Source.id == item.source_id).values(
        next_episode_expected_at=expected, prediction_source="history"))
    db.session.commit()

    doc = item_dict(user_id, item_id)
    assert doc["next_episode_expected_at"] == "2026-03-07T17:00:00Z"
    assert doc["prediction_source"] == "history"
    assert doc["langs"] == ["vostfr"]
    assert doc["notify"] is True and doc["follow_new_seasons"] == "notify"
    assert doc["upgrade_language"] == "keep_both"
    # anime-sama has a recently-added page; the next check came before the 6 h interval
    assert doc["watched_by"] == {"site_feed": True, "interval_hours": 6,
                                 "next_check_reason": "expected_release"}
    plain_doc = item_dict(user_id, plain)
    assert plain_doc["next_episode_expected_at"] is None
    assert plain_doc["prediction_source"] is None
    assert plain_doc["watched_by"] == {"site_feed": False, "interval_hours": 6,
                                       "next_check_reason": "interval"}

    # the owner opts out, then the admin switches the site's feed off for everybody
    db.session.execute(update(UserSettings).where(UserSettings.user_id == user_id)
                       .values(fast_detection=False, check_interval_hours=12))
    db.session.commit()
    assert item_dict(user_id, item_id)["watched_by"]["site_feed"] is False
    assert item_dict(user_id, item_id)["watched_by"]["interval_hours"] == 12
    db.session.execute(update(UserSettings).where(UserSettings.user_id == user_id)
                       .values(fast_detection=True))
    db.session.commit()
    set_site_feed_enabled("animesama", False)
    assert item_dict(user_id, item_id)["watched_by"]["site_feed"] is False
    set_site_feed_enabled("animesama", True)
    assert item_dict(user_id, item_id)["watched_by"]["site_feed"] is True
    assert db.session.get(WatchlistItem, item_id).langs in ([], ["vostfr"])
