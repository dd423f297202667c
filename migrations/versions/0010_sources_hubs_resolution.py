"""Backup sources of an item, the anime pages (hubs) whose seasons are followed, and the
resolution a download really got.

- `item_sources`: an item's further sources in order (position 1, 2, ...; position 0 is
  the item's own `source_id`), each with the last error it gave.
- `hubs`: an anime's page on a provider (anime-sama `/catalogue/<slug>/`) with the seasons
  it listed at its last read (JSON), so a new season is noticed; `sources.hub_id` links a
  season's source to its hub.
- `downloads.resolution`: the height of the video the download got (1080, 720, ...).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.String(32),
                  sa.ForeignKey("watchlist_items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("item_id", "source_id", name="uq_item_source"),
    )
    op.create_index("ix_item_sources_source", "item_sources", ["source_id"])
    op.create_table(
        "hubs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("provider_id", sa.String(32), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("seasons", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("last_checked_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("provider_id", "url", name="uq_hub"),
    )
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("hub_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("downloads") as batch:
        batch.add_column(sa.Column("resolution", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("downloads", "resolution")
    op.drop_column("sources", "hub_id")
    op.drop_table("hubs")
    op.drop_index("ix_item_sources_source", table_name="item_sources")
    op.drop_table("item_sources")
