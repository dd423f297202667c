"""Whether an anime's page says the anime is finished.

- `hubs.finished`: true when the page said at its last read that the anime is finished
  (no episode to come), false when it said it is airing, null when it said neither;
  `hubs.finished_at`: when a read first found it finished. Smart completion completes an
  item whose anime is finished once every episode its sources list is in the library.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hubs") as batch:
        batch.add_column(sa.Column("finished", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("hubs", "finished_at")
    op.drop_column("hubs", "finished")
