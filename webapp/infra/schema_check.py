"""The database schema: refuse to run on one that is not at the latest Alembic revision,
and the `db upgrade` / `db current` commands.

The check every process makes at start reads `alembic_version` and the revision ids of
`migrations/versions` itself: importing Alembic (and Mako) costs ~10 MB in every
long-running process, for a comparison of two strings. The commands use Alembic.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
UPGRADE_COMMAND = "flask --app wsgi db upgrade"

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


class SchemaNotReady(RuntimeError):
    """The database is missing tables or is behind the code's migrations."""


_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*["\']?([^"\'\s]+)["\']?', re.M)


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and `database_url`."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    """The newest revision in `migrations/versions`: the one no other revision follows
    (the chain is linear; tests compare this with Alembic's own answer)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision"))
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision (None when it has no `alembic_version` yet)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            return None


def ensure_schema_current(engine: Engine) -> None:
    """Raise SchemaNotReady with the command to run when the database is not migrated."""
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        state = "has no tables yet" if current is None else f"is at revision {current}"
        raise SchemaNotReady(
            f"The database {state}, the code needs revision {head}. "
            f"Run `{UPGRADE_COMMAND}` (or `make run`, which does it) and start again."
        )


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)
    click.echo(f"database upgraded to {revision}", err=True)


@db_cli.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    from alembic import command

    command.current(alembic_config(current_app.config["DATABASE_URL"]))
