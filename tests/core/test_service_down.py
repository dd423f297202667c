"""A database that does not answer gives 503 (JSON for the API, a page elsewhere), not 500."""

from webapp import create_app


def test_database_down_is_503(tmp_path, redis_url, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/none",
                      "REDIS_URL": redis_url, "SECRET_KEY": "x", "CHECK_SCHEMA": False})
    client = app.test_client()
    api = client.get("/api/watchlist", headers={"Authorization": "Bearer wl_whatever"})
    assert api.status_code == 503
    assert api.json["error"] == "service_unavailable"
    assert "database" in api.json["message"]
    page = client.get("/login")
    assert page.status_code == 503
    assert b"database is not answering" in page.data
