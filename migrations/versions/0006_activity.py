"""Activity history, and downloads a user cleared from the downloads list.

`activity` keeps one row per event of a user's items (checks, downloads, status changes);
`item_id` is no foreign key, so the history of a deleted item stays. `downloads.cleared_at`
hides a finished download from the list without touching its file or its history.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=True),
        sa.Column("anime_title", sa.String(500), nullable=False),
        sa.Column("episode", sa.Float(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_activity_user_id", "activity", ["user_id", "id"])
    op.create_index("ix_activity_user_item", "activity", ["user_id", "item_id", "id"])
    op.create_index("ix_activity_created", "activity", ["created_at"])
    with op.batch_alter_table("downloads") as batch:
        batch.add_column(sa.Column("cleared_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("downloads") as batch:
        batch.drop_column("cleared_at")
    op.drop_index("ix_activity_created", "activity")
    op.drop_index("ix_activity_user_item", "activity")
    op.drop_index("ix_activity_user_id", "activity")
    op.drop_table("activity")
