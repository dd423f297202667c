"""Test helpers shared by conftest and test modules: free ports, the test app config and
an API client that sends a user's token."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_config(database_url: str, redis_url: str, tmp_path: Path) -> dict[str, Any]:
    """The config every test app gets: our databases, a temp library, local htmx."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DOWNLOAD_DIR": str(tmp_path / "library"),
        "HTMX_SRC": "local",
        "ALLOW_PRIVATE_HOSTS": "127.0.0.0/8,::1",
        "LOGIN_ATTEMPTS_PER_MINUTE": 10,
        # No per-host pacing against the local fixture servers (tests of pacing set it).
        "HOST_RATE_LIMIT_PER_SECOND": 0,
    }


class ApiClient:
    """A test client that sends one user's API token on every request."""

    def __init__(self, client: Any, token: str, user: Any) -> None:
        self.client = client
        self.token = token
        self.user = user

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self._call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self._call("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self._call("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self._call("DELETE", path, **kw)
