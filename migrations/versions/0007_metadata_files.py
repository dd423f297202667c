"""Users choose whether the library gets NFO files and posters beside their files.

`user_settings.metadata_files` (SPEC §4, default on): with it, the show folder gets a
Kodi/Jellyfin `tvshow.nfo`, each episode an `<episodedetails>` NFO, and `poster.jpg`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_settings") as batch:
        batch.add_column(sa.Column("metadata_files", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("user_settings") as batch:
        batch.drop_column("metadata_files")
