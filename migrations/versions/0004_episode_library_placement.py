"""Episodes remember where the library files them when not (source season, number).

A named special of a regular season (anime-sama's `newSPF("…")`) is filed under
`Specials/` as S00 with its own number.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_episodes") as batch:
        batch.add_column(sa.Column("library_season", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("library_number", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_episodes") as batch:
        batch.drop_column("library_number")
        batch.drop_column("library_season")
