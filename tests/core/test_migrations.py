"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import webapp.models  # noqa: F401
from webapp.database import Base
from webapp.extensions import db
from webapp.infra.schema_check import head_revision


def test_migrated_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []


def test_the_start_check_reads_the_head_as_alembic_does():
    from alembic.script import ScriptDirectory

    from webapp.infra.schema_check import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert head_revision() == script.get_current_head() is not None
