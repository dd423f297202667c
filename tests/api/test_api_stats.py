"""GET /api/stats/history (issue 17): per-day downloads, bytes, failures and latency, checks
per provider and downloads per host, made by real checks of the fixture site and real
downloads; one user's only; days outside 1–365 are a 422 in SPEC's shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.api_helpers import assert_error, fields_of
from tests.stats_helpers import FILE_SIZE, LATENCIES, seed_history

DAY_KEYS = {"date", "downloads", "bytes", "failed", "latency_median_s", "latency_p90_s"}


def _history(api: Any, query: str = "") -> dict[str, Any]:
    resp = api.get(f"/api/stats/history{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_the_history_counts_what_checks_and_downloads_did(
        api: Any, app: Any, fixture_site: Any, redis_conn: Any, make_api: Any) -> None:
    seeded = seed_history(app, fixture_site, redis_conn, api.user.id)
    body = _history(api, "?days=7")
    assert set(body) == {"days", "providers", "hosts", "library_bytes"}
    days = body["days"]
    today = datetime.now(UTC).date()
    assert [d["date"] for d in days] == \
        [(today - timedelta(days=6 - k)).isoformat() for k in range(7)]
    assert all(set(d) == DAY_KEYS for d in days)
    by_date = {d["date"]: d for d in days}
    before = by_date[seeded.day_before.isoformat()]
    yesterday = by_date[seeded.yesterday.isoformat()]
    assert (before["downloads"], before["bytes"], before["failed"]) == (2, 2 * FILE_SIZE, 0)
    assert (yesterday["downloads"], yesterday["bytes"], yesterday["failed"]) == \
        (1, FILE_SIZE, 1)
    # First seen at 08:00, in the library at 10:00 (the clock ticks through the transfer).
    for day, latency in ((before, LATENCIES["alpha"]), (yesterday, LATENCIES["beta"])):
        assert latency <= day["latency_median_s"] <= latency + 30, day
        assert day["latency_median_s"] <= day["latency_p90_s"] <= latency + 30, day
    quiet = [d for d in days if d not in (before, yesterday)]
    assert len(quiet) == 5
    assert all((d["downloads"], d["bytes"], d["failed"], d["latency_median_s"],
                d["latency_p90_s"]) == (0, 0, 0, None, None) for d in quiet)
    assert body["providers"] == {"directory": {"checks": 4, "failed": 1}}
    assert body["hosts"] == {"127.0.0.1": {"downloads": 3, "failed": 1}}
    assert body["library_bytes"] == 3 * FILE_SIZE

    # The default is 30 days; one day is today alone (nothing happened today).
    assert len(_history(api)["days"]) == 30
    only_today = _history(api, "?days=1")
    assert [d["date"] for d in only_today["days"]] == [today.isoformat()]
    assert only_today["days"][0]["downloads"] == 0
    assert only_today["providers"] == {} and only_today["hosts"] == {}
    assert only_today["library_bytes"] == 3 * FILE_SIZE   # the library is not per period
    two = _history(api, "?days=2")
    assert [d["downloads"] for d in two["days"]] == [1, 0]
    assert two["hosts"] == {"127.0.0.1": {"downloads": 1, "failed": 1}}

    # Another user sees none of it.
    bob = _history(make_api("bob"), "?days=365")
    assert len(bob["days"]) == 365
    assert all(d["downloads"] == d["failed"] == d["bytes"] == 0 for d in bob["days"])
    assert (bob["providers"], bob["hosts"], bob["library_bytes"]) == ({}, {}, 0)


def test_days_outside_1_to_365_are_refused(api: Any, make_api: Any) -> None:
    for query in ("?days=0", "?days=366", "?days=x", "?days=-3", "?days=1.5", "?days="):
        body = assert_error(api.get(f"/api/stats/history{query}"), 422, "validation_error")
        assert fields_of(body) == ["days"], (query, body)
    assert len(_history(api, "?days=365")["days"]) == 365
    assert_error(api.client.get("/api/stats/history"), 401, "unauthorized")
    assert_error(make_api("carol", scopes="feeds").get("/api/stats/history"), 403, "forbidden")


def test_the_openapi_document_describes_the_endpoint(api: Any) -> None:
    doc = api.client.get("/api/openapi.json").get_json()
    operation = doc["paths"]["/api/stats/history"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["days"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/StatsHistory")
    model = doc["components"]["schemas"]["StatsHistory"]
    assert set(model["properties"]) == {"days", "providers", "hosts", "library_bytes"}
