"""Items keep their last check attempt and their last successful check apart.

`last_attempt_at` is the last check that ran whatever its outcome, `last_success_at` the
last one that read the source (`last_checked_at` stays, equal to it). Existing items
take `last_checked_at` for both; an item whose last check failed takes its `updated_at`
(which that check set) as the attempt.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("watchlist_items") as batch:
        batch.add_column(sa.Column("last_attempt_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_success_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE watchlist_items SET last_success_at = last_checked_at, "
               "last_attempt_at = CASE WHEN last_error IS NULL THEN last_checked_at "
               "ELSE updated_at END")


def downgrade() -> None:
    with op.batch_alter_table("watchlist_items") as batch:
        batch.drop_column("last_success_at")
        batch.drop_column("last_attempt_at")
