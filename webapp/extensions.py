"""Extensions created unbound here and wired in `create_app`: database, login, CSRF, Redis."""

from __future__ import annotations

from functools import lru_cache

import redis
from flask import current_app
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from rq import Queue

from webapp.database import Database

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()

QUEUE_NAMES = ("checks", "default", "downloads")
REDIS_SOCKET_TIMEOUT = 5


@lru_cache(maxsize=8)
def redis_for(url: str) -> redis.Redis:
    """A Redis client for `url` with timeouts, shared per process."""
    return redis.Redis.from_url(
        url,
        socket_timeout=REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=3,
        health_check_interval=30,
    )


def get_redis() -> redis.Redis:
    """The Redis client of the current app."""
    return redis_for(current_app.config["REDIS_URL"])


def get_queue(name: str, connection: redis.Redis | None = None) -> Queue:
    """An RQ queue by name on the app's Redis."""
    return Queue(name, connection=connection or get_redis())
