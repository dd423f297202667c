"""The two renderers of an item's API document give the same JSON for the same rows.

`GET /api/watchlist` renders its list in SQL (webapp.watchlist.listing, timestamps
formatted by the database); one item (`GET /api/watchlist/<id>`, create, update) is
rendered from the ORM object (webapp.schemas.items.item_to_dict). They must not drift.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.check_helpers import add_user, watch
from webapp.extensions import db
from webapp.schemas.items import item_to_dict
from webapp.watchlist.listing import list_item_dicts, list_items


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
    watch(other, "https://files.example/plain/", title="Not Alice's")
    db.session.expire_all()

    listed = list_item_dicts(user_id)
    rendered = [item_to_dict(row) for row in list_items(user_id)]

    assert len(listed) == 3
    assert listed == rendered
    assert {d["anime_title"] for d in listed} == {
        "Plain", "Full « Ünicode »", "Paused"}
