"""Helpers for the API tests and the API benchmark: sample bodies, fast seeding, SQL counting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert

FRIEREN = "https://anime-sama.si/catalogue/frieren/saison1/vostfr/"
ITEM_KEYS = {
    "id", "anime_title", "anime_url", "provider_id", "lang", "status", "auto_download",
    "quality_preference", "poster_image", "synopsis", "genres", "last_episode_downloaded",
    "last_episode_available", "last_checked_at", "next_check_at", "last_error", "created_at",
    "updated_at", "last_attempt_at", "last_success_at", "poster_url",
    "next_episode_expected_at", "prediction_source", "langs", "follow_new_seasons",
    "upgrade_language", "notify", "watched_by",
}
ERROR_KEYS = {"error", "message", "details"}
T0 = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)


def directory_url(n: int) -> str:
    """A distinct source URL of the generic `directory` provider."""
    return f"https://files.example.org/anime/show-{n}/"


def create_body(n: int | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid create body: Frieren on anime-sama, or show n of a directory listing."""
    if n is None:
        body: dict[str, Any] = {"anime_title": "Frieren", "anime_url": FRIEREN}
    else:
        body = {"anime_title": f"Show {n}", "anime_url": directory_url(n),
                "provider_id": "directory"}
    body.update(overrides)
    return body


def add_item(api: Any, n: int | None = None, **overrides: Any) -> dict[str, Any]:
    """Create an item through the API and return its JSON."""
    resp = api.post("/api/watchlist", json=create_body(n, **overrides))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def assert_error(resp: Any, status: int, error: str) -> dict[str, Any]:
    """Assert the SPEC error shape with this status and code; returns the body."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == ERROR_KEYS and body["error"] == error
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], list)
    return body


def fields_of(body: dict[str, Any]) -> list[str]:
    """The `field` of every details entry."""
    return [d["field"] for d in body["details"]]


def seed_items(conn: Any, user_id: int, count: int, *, first_source_id: int,
               provider_id: str = "directory", start: int = 0) -> None:
    """Insert `count` items (and their sources) for one user straight into the database."""
    from webapp.models import Source, WatchlistItem

    sources, items = [], []
    for k in range(start, start + count):
        source_id = first_source_id + k
        url = directory_url(source_id)
        created = T0 + timedelta(minutes=k)
        sources.append({"id": source_id, "provider_id": provider_id, "url": url,
                        "lang": "any", "genres": [], "created_at": T0})
        items.append({
            "id": f"{user_id:08x}{k:024x}", "user_id": user_id, "source_id": source_id,
            "anime_title": f"Show {k}", "anime_url": url, "provider_id": provider_id,
            "lang": "any", "status": ("active", "paused", "completed", "archived")[k % 4],
            "auto_download": k % 3 != 0, "quality_preference": "auto",
            "genres": ["Action", "Fantasy"], "synopsis": "A story." * 20,
            "last_episode_downloaded": float(k % 24), "last_episode_available": k % 24 + 0.5,
            "last_checked_at": created, "next_check_at": created + timedelta(hours=6),
            "created_at": created, "updated_at": created,
        })
    for i in range(0, count, 2000):
        conn.execute(insert(Source), sources[i:i + 2000])
        conn.execute(insert(WatchlistItem), items[i:i + 2000])


@contextmanager
def count_statements(engine: Any) -> Iterator[list[str]]:
    """Collect every SQL statement the engine runs inside the block."""
    statements: list[str] = []

    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)
