"""Shared fixtures: our own redis-server, SQLite and PostgreSQL databases, app and API clients.

Every database test runs on SQLite and, when TEST_POSTGRES_URL is set, on PostgreSQL too.
The network is blocked except loopback: provider sites are local fixture servers.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import text

from tests.helpers import ApiClient, app_config, free_port

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("TEST_POSTGRES_URL") else [])
# `fixture_site` (local provider sites), `media` (a local media server), and the page
# fixtures `alice`, `logged`, `on_fixture_site`.
pytest_plugins = ["tests.fixture_site", "tests.download_helpers", "tests.page_helpers"]


# --- network: loopback only -------------------------------------------------------------

_real_connect = socket.socket.connect


def _loopback_only_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        host = address[0]
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = host == "localhost"
        if not ok:
            raise OSError(f"tests may not reach the network ({host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only_connect)


# --- redis --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of our own on a free port; never the user's Redis."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.exit("redis-server is not installed (make test installs it)", returncode=3)
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=2)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.exit("our redis-server did not start", returncode=3)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """A clean Redis database of our own server for one test."""
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield redis_server
    client.flushdb()


@pytest.fixture
def redis_conn(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


# --- databases ----------------------------------------------------------------------------


def _migrate(url: str) -> None:
    from alembic import command

    from webapp.infra.schema_check import alembic_config

    command.upgrade(alembic_config(url), "head")


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    import webapp.models  # noqa: F401
    from webapp.database import Base

    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database, once per backend for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = os.environ["TEST_POSTGRES_URL"]
        _reset_postgres(url)
    _migrate(url)
    return url


def _truncate_all(url: str) -> None:
    import webapp.models  # noqa: F401
    from webapp.database import Base
    from webapp.extensions import db

    db.session.remove()
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


# --- app ----------------------------------------------------------------------------------


@pytest.fixture
def app(database_url: str, redis_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The web app on a clean database and a clean Redis."""
    from webapp import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(app_config(database_url, redis_url, tmp_path))
    with application.app_context():
        _truncate_all(database_url)
    yield application
    with application.app_context():
        _truncate_all(database_url)


@pytest.fixture
def ctx(app: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The app inside its app context, with the test module's `APP_CONFIG` dict applied."""
    app.config.update(getattr(request.module, "APP_CONFIG", {}))
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def make_user(app: Any):  # noqa: ANN201
    """Create a user: make_user("alice", admin=False) -> User."""
    from webapp.auth.users import create_user

    def _make(name: str = "alice", password: str = "password123", admin: bool = False):  # noqa: ANN202
        with app.app_context():
            return create_user(name, password, is_admin=admin)

    return _make


@pytest.fixture
def make_api(app: Any, make_user: Any):  # noqa: ANN201
    """make_api("alice", scopes="read,write") -> ApiClient for a new user."""
    from webapp.auth.tokens import create_token

    def _make(name: str = "alice", scopes: str = "read,write", admin: bool = False) -> ApiClient:
        user = make_user(name, admin=admin)
        with app.app_context():
            _tok, raw = create_token(user, "test", scopes)
        return ApiClient(app.test_client(), raw, user)

    return _make


@pytest.fixture
def api(make_api: Any) -> ApiClient:
    """Alice's API client with read and write scopes."""
    return make_api("alice")
