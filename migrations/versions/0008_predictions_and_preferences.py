"""Release predictions on sources; per-item language order, following and notification
choices; the user settings of fast detection, completion and season-complete messages.

- `sources.next_episode_expected_at` / `prediction_source` (`schedule`, `history` or
  null): computed when a check reads the source, shown in the API item (SPEC §4).
- `watchlist_items.langs` (ordered; `lang` stays its first entry), `follow_new_seasons`
  (`off`/`notify`/`add`, default `notify`), `upgrade_language` (`keep_both`/`replace`/
  `ignore`, default `keep_both`), `notify` (default on). Existing items take `[lang]`.
  `status_changed_at`: when the status last changed (completion and archival count their
  weeks from it; null for older items, which count from `updated_at`).
- `user_settings.fast_detection` (on), `complete_after_weeks` (0), `archive_after_weeks`
  (0), `notify_season_complete` (on).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("next_episode_expected_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("prediction_source", sa.String(16), nullable=True))
    with op.batch_alter_table("watchlist_items") as batch:
        batch.add_column(sa.Column("langs", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("follow_new_seasons", sa.String(8), nullable=False,
                                   server_default="notify"))
        batch.add_column(sa.Column("upgrade_language", sa.String(16), nullable=False,
                                   server_default="keep_both"))
        batch.add_column(sa.Column("notify", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("status_changed_at", sa.DateTime(), nullable=True))
    # The language order of an existing item is its one language (a JSON array of it).
    op.execute("UPDATE watchlist_items SET langs = '[\"' || lang || '\"]'")
    with op.batch_alter_table("user_settings") as batch:
        batch.add_column(sa.Column("fast_detection", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("complete_after_weeks", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("archive_after_weeks", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("notify_season_complete", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ has it): a batch copy of `sources` would have to
    # drop the table that other tables' foreign keys point at.
    for table, names in (
            ("user_settings", ("notify_season_complete", "archive_after_weeks",
                               "complete_after_weeks", "fast_detection")),
            ("watchlist_items", ("status_changed_at", "notify", "upgrade_language",
                                 "follow_new_seasons", "langs")),
            ("sources", ("prediction_source", "next_episode_expected_at"))):
        for name in names:
            op.drop_column(table, name)
