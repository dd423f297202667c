"""The app starts on a migrated database and refuses an unmigrated one."""

import pytest


def test_unauthenticated_api_is_401(client):
    resp = client.get("/api/watchlist/stats")
    assert resp.status_code == 401
    assert resp.json["error"] == "unauthorized"


def test_refuses_unmigrated_database(tmp_path, redis_url, monkeypatch):
    from webapp import create_app
    from webapp.infra.schema_check import SchemaNotReady

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(SchemaNotReady, match="flask --app wsgi db upgrade"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/empty.db", "REDIS_URL": redis_url})
