"""Download sizes as 64-bit integers (files over 2 GiB).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("downloads") as batch:
        batch.alter_column("bytes_done", type_=sa.BigInteger(), existing_type=sa.Integer(),
                           existing_nullable=False)
        batch.alter_column("bytes_total", type_=sa.BigInteger(), existing_type=sa.Integer(),
                           existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("downloads") as batch:
        batch.alter_column("bytes_done", type_=sa.Integer(), existing_type=sa.BigInteger(),
                           existing_nullable=False)
        batch.alter_column("bytes_total", type_=sa.Integer(), existing_type=sa.BigInteger(),
                           existing_nullable=True)
