"""Settings read from the environment (SPEC §7), with the defaults a fresh install needs."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        raise SystemExit(f"configuration error: {value!r} is not a whole number") from None


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except ValueError:
        raise SystemExit(f"configuration error: {value!r} is not a number") from None


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY, generating one kept in the instance folder on first use."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _seconds_list(value: str | None, default: tuple[float, ...]) -> tuple[float, ...]:
    if value is None or value == "":
        return default
    try:
        return tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise SystemExit(f"configuration error: {value!r} is not a list of seconds "
                         "(e.g. 60,600,3600)") from None


def cron_tick_seconds(env: dict[str, str] | None = None) -> int:
    """CRON_TICK_SECONDS: how often `rq cron` enqueues the tick (read by workers/cron.py)."""
    env = os.environ if env is None else env
    return _int(env.get("CRON_TICK_SECONDS"), 60)


def redis_url(env: dict[str, str] | None = None) -> str:
    """REDIS_URL (read by the scheduler process, workers/clock.py, without the app)."""
    env = os.environ if env is None else env
    return env.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def load_config(instance_path: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables (SPEC §7 names)."""
    env = dict(os.environ if env is None else env)
    inst = Path(instance_path)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{inst / 'watchlist.db'}"
    config: dict[str, Any] = {
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url(env),
        "DOWNLOAD_DIR": os.path.abspath(env.get("DOWNLOAD_DIR") or "downloads"),
        "MAX_PARALLEL_DOWNLOADS": _int(env.get("MAX_PARALLEL_DOWNLOADS"), 3),
        # The process tree of one machine (workers/pool.py): how many checks and how
        # many downloads it runs at once (0: this machine does none of that kind), ...
        "CHECK_CONCURRENCY": _int(env.get("CHECK_CONCURRENCY"), 2),
        "DOWNLOAD_CONCURRENCY": _int(env.get("DOWNLOAD_CONCURRENCY"),
                                     _int(env.get("MAX_PARALLEL_DOWNLOADS"), 3)),
        # ... its web server (0 workers: no web on this machine) and scheduler.
        "WEB_WORKERS": _int(env.get("WEB_WORKERS"), 1),
        "WEB_THREADS": _int(env.get("WEB_THREADS"), 8),
        "WEB_BIND": f"{env.get('HOST') or '127.0.0.1'}:{_int(env.get('PORT'), 3000)}",
        "RUN_SCHEDULER": _bool(env.get("RUN_SCHEDULER"), True),
        "HTMX_SRC": (env.get("HTMX_SRC") or "cdn").lower(),
        "ALLOW_PRIVATE_HOSTS": env.get("ALLOW_PRIVATE_HOSTS", ""),
        "DIRECTORY_ALLOWED_HOSTS": env.get("DIRECTORY_ALLOWED_HOSTS", ""),
        "RSS_ALLOWED_HOSTS": env.get("RSS_ALLOWED_HOSTS", ""),
        "CRON_TICK_SECONDS": cron_tick_seconds(env),
        # Downloads: seconds a job may run before RQ kills it (a big file on a slow host);
        # a running download whose heartbeat is older than this is taken for dead; the
        # waits between automatic attempts after every player failed, then `failed`.
        "DOWNLOAD_JOB_TIMEOUT": _float(env.get("DOWNLOAD_JOB_TIMEOUT"), 6 * 3600),
        "DOWNLOAD_HEARTBEAT_SECONDS": _float(env.get("DOWNLOAD_HEARTBEAT_SECONDS"), 60),
        # How often an open page asks whether anything it shows changed (webapp.pages.live_poll)
        "LIVE_POLL_SECONDS": max(1, _int(env.get("LIVE_POLL_SECONDS"), 3)),
        "DOWNLOAD_RETRY_INTERVALS": _seconds_list(env.get("DOWNLOAD_RETRY_INTERVALS"),
                                                  (60, 600, 3600)),
        "HOST_RATE_LIMIT_PER_SECOND": _float(env.get("HOST_RATE_LIMIT_PER_SECOND"), 1.0),
        "MAX_FILE_SIZE_MB": _int(env.get("MAX_FILE_SIZE_MB"), 8192),
        "OPEN_SIGNUP": _bool(env.get("OPEN_SIGNUP")),
        "TRUSTED_PROXIES": _int(env.get("TRUSTED_PROXIES"), 0),
        "LOGIN_ATTEMPTS_PER_MINUTE": _int(env.get("LOGIN_ATTEMPTS_PER_MINUTE"), 10),
        # List imports (SPEC §4): AniList's GraphQL endpoint, and how long matching an
        # imported list against the sites' search may take before the rest stays unmatched.
        "ANILIST_API_URL": env.get("ANILIST_API_URL") or "https://graphql.anilist.co",
        "IMPORT_MATCH_DEADLINE_SECONDS": _float(env.get("IMPORT_MATCH_DEADLINE_SECONDS"), 120.0),
        # Scheduled backups (webapp.watchlist.scheduled_backups): every user's export written
        # to <instance>/backups every BACKUP_EVERY_HOURS (0: never), the newest BACKUP_KEEP kept.
        "BACKUP_EVERY_HOURS": _float(env.get("BACKUP_EVERY_HOURS"), 24.0),
        "BACKUP_KEEP": max(1, _int(env.get("BACKUP_KEEP"), 7)),
        "BACKUP_DELAY_SECONDS": _float(env.get("BACKUP_DELAY_SECONDS"), 600.0),
        # Base URLs of providers and hosts: every `<NAME>_BASE_URL` is kept as given.
        "BASE_URLS": {
            key[: -len("_BASE_URL")].lower(): value.rstrip("/")
            for key, value in env.items()
            if key.endswith("_BASE_URL") and value
        },
        # Forms: no CSRF expiry, pages stay open for hours.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # The largest body accepted (the import endpoint); other endpoints cap at 1 MiB.
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "API_MAX_BODY": 1024 * 1024,
    }
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _secret_key(inst)
    return config
