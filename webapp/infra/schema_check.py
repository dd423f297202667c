"""The database schema: refuse to run on one that is not at the latest Alembic revision,
and the `db upgrade` / `db current` commands."""

from __future__ import annotations

from pathlib import Path

import click
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
UPGRADE_COMMAND = "flask --app wsgi db upgrade"

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


class SchemaNotReady(RuntimeError):
    """The database is missing tables or is behind the code's migrations."""


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and `database_url`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    """The newest revision in `migrations/versions`."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def ensure_schema_current(engine: Engine) -> None:
    """Raise SchemaNotReady with the command to run when the database is not migrated."""
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
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
