"""Concurrent creations: a shared source created twice, or one anime added twice at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import insert, select

import webapp.watchlist.sources as sources_module
from tests.api_helpers import FRIEREN, create_body
from webapp.extensions import db
from webapp.models import Source, WatchlistItem
from webapp.watchlist.manager import WatchlistManager


def test_source_created_meanwhile_by_another_request_is_shared(api, make_api, monkeypatch):
    """Another request inserts the same source between our lookup and our insert."""
    real_find = sources_module.find_source_id
    competitor: list[int] = []

    def find_then_lose_the_race(resolved):  # noqa: ANN001, ANN202
        found = real_find(resolved)
        if found is None and not competitor:
            with db.engine.begin() as conn:
                competitor.append(conn.execute(insert(Source).values(
                    provider_id=resolved.provider_id, url=resolved.key, lang=resolved.lang,
                    genres=[]).returning(Source.id)).scalar_one())
        return found

    monkeypatch.setattr(sources_module, "find_source_id", find_then_lose_the_race)
    resp = api.post("/api/watchlist", json=create_body())
    assert resp.status_code == 201, resp.get_json()
    with api.client.application.app_context():
        item = db.session.get(WatchlistItem, resp.get_json()["id"])
        assert [item.source_id] == competitor
        assert db.session.query(Source).count() == 1


def test_same_anime_added_meanwhile_by_the_same_user_is_409(api, make_api, monkeypatch):
    """Our own other request wins between the duplicate check and the insert."""
    make_api("bob").post("/api/watchlist", json=create_body())  # the source exists now
    winner = "f" * 32
    real = WatchlistManager._existing_item_id

    def check_then_lose_the_race(self, source_id):  # noqa: ANN001, ANN202
        found = real(self, source_id)
        if found is None and self.user_id == api.user.id:
            with db.engine.begin() as conn:
                conn.execute(insert(WatchlistItem).values(
                    id=winner, user_id=self.user_id, source_id=source_id,
                    anime_title="First", anime_url=FRIEREN, provider_id="animesama",
                    lang="vostfr", genres=[]))
        return found

    monkeypatch.setattr(WatchlistManager, "_existing_item_id", check_then_lose_the_race)
    resp = api.post("/api/watchlist", json=create_body())
    assert resp.status_code == 409, resp.get_json()
    assert resp.get_json()["details"] == [{"field": "anime_url", "item_id": winner}]


def _post_all_at_once(clients: list, body: dict) -> list[int]:
    barrier = Barrier(len(clients))

    def post(client) -> int:  # noqa: ANN001
        barrier.wait(timeout=10)
        return client.post("/api/watchlist", json=body).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(post, clients))


def test_many_users_adding_one_new_anime_at_once_share_its_source(app, make_api):
    clients = [make_api(f"user{n}") for n in range(6)]
    assert _post_all_at_once(clients, create_body()) == [201] * 6
    with app.app_context():
        assert db.session.query(Source).count() == 1
        assert len(set(db.session.scalars(select(WatchlistItem.source_id)))) == 1


def test_one_user_adding_one_anime_four_times_at_once_gets_one_item(app, api):
    from tests.helpers import ApiClient

    clients = [ApiClient(app.test_client(), api.token, api.user) for _ in range(4)]
    statuses = _post_all_at_once(clients, create_body())
    assert sorted(statuses) == [201, 409, 409, 409]
    assert len(api.get("/api/watchlist").get_json()) == 1
