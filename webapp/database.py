"""Engine, sessions and the declarative base shared by the web app and the workers.

Plain SQLAlchemy 2 (no Flask-SQLAlchemy) so worker jobs use the same session factory.
SQLite runs in WAL mode with a busy timeout so a web process and several workers can
write without "database is locked"; PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Text, TypeDecorator, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import DateTime

SQLITE_BUSY_TIMEOUT_MS = 30_000


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC, return aware UTC: the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class JSONList(TypeDecorator[list]):
    """A JSON array kept as text, so it works the same everywhere."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list | None, dialect: Any) -> str:
        return json.dumps(list(value or []), ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Any) -> list:
        if not value:
            return []
        try:
            loaded = json.loads(value)
        except ValueError:
            return []
        return loaded if isinstance(loaded, list) else []


class Base(DeclarativeBase):
    """Declarative base of every model."""


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy manage transactions, but start them as IMMEDIATE writers only
            # when needed: the pysqlite default (deferred) is fine with a busy timeout.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         connect_args={"connect_timeout": 10})


class Database:
    """Owns the engine and a thread-local session; bound to an app by `init_app`."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory: sessionmaker[Session] | None = None
        self.session: scoped_session[Session] = scoped_session(self._make_session)

    def _make_session(self) -> Session:
        if self.session_factory is None:
            raise RuntimeError("database used before init_app()")
        return self.session_factory()

    def configure(self, url: str) -> None:
        """Point the database at `url` (called once per app / worker process)."""
        if self.engine is not None:
            self.session.remove()
            if self.engine.url.render_as_string(hide_password=False) == url:
                return
            self.engine.dispose()
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    def init_app(self, app: Any) -> None:
        """Configure from `app.config` and close the session after every request."""
        self.configure(app.config["DATABASE_URL"])
        app.teardown_appcontext(lambda _exc: self.session.remove())

    def after_fork(self) -> None:
        """Drop pooled connections inherited from a parent process (RQ work-horses)."""
        if self.engine is not None:
            self.engine.dispose(close=False)
