"""Upgrading a database that has data, from the previous revision to the newest, keeps
the data and gives the new columns their documented defaults — on SQLite and PostgreSQL;
and the newest revisions go down and up again cleanly."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from webapp.infra.schema_check import alembic_config, head_revision

BEFORE = "0007"


def _postgres_database() -> Iterator[str]:
    base = make_url(os.environ["TEST_POSTGRES_URL"])
    name = f"wl_upgrade_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite"] + (["postgres"] if os.environ.get("TEST_POSTGRES_URL")
                                     else []))
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
    else:
        yield from _postgres_database()


def _seed_at_previous_revision(conn) -> None:  # noqa: ANN001 - a SQLAlchemy connection
    conn.execute(text("INSERT INTO users (id, username, password_hash, is_admin, disabled, "
                      "scheduler_enabled, created_at) VALUES (1, 'alice', 'x', false, false, "
                      "true, '2026-01-01 00:00:00')"))
    conn.execute(text("INSERT INTO user_settings (user_id, check_interval_hours, "
                      "auto_download_enabled, max_concurrent_auto_downloads, "
                      "notify_on_new_episodes, include_completed_anime, metadata_files, "
                      "notification_urls) VALUES (1, 12, true, 2, false, false, true, '[]')"))
    conn.execute(text("INSERT INTO sources (id, provider_id, url, lang, genres, "
                      "consecutive_failures, created_at) VALUES (1, 'animesama', "
                      "'/catalogue/frieren/saison1/vf/', 'vf', '[]', 0, "
                      "'2026-01-01 00:00:00')"))
    conn.execute(text("INSERT INTO watchlist_items (id, user_id, source_id, anime_title, "
                      "anime_url, provider_id, lang, status, auto_download, "
                      "quality_preference, genres, last_episode_downloaded, created_at, "
                      "updated_at) VALUES ('i1', 1, 1, 'Frieren', "
                      "'https://anime-sama.si/catalogue/frieren/saison1/vf/', 'animesama', "
                      "'vf', 'active', true, 'auto', '[]', 3, '2026-01-01 00:00:00', "
                      "'2026-01-01 00:00:00')"))


def test_upgrade_from_the_previous_revision_keeps_data(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, BEFORE)
    engine = create_engine(empty_database)
    try:
        with engine.begin() as conn:
            _seed_at_previous_revision(conn)
        command.upgrade(config, "head")
        with engine.connect() as conn:
            item = conn.execute(text(
                "SELECT anime_title, last_episode_downloaded, langs, follow_new_seasons, "
                "upgrade_language, notify FROM watchlist_items")).one()
            settings = conn.execute(text(
                "SELECT check_interval_hours, fast_detection, complete_after_weeks, "
                "archive_after_weeks, notify_season_complete FROM user_settings")).one()
            source = conn.execute(text(
                "SELECT next_episode_expected_at, prediction_source FROM sources")).one()
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert tuple(item) == ("Frieren", 3, '["vf"]', "notify", "keep_both", True)
        assert tuple(settings) == (12, True, 0, 0, True)
        assert tuple(source) == (None, None)
        assert version == head_revision()

        command.downgrade(config, BEFORE)
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT langs FROM watchlist_items")).scalar() == '["vf"]'
            assert conn.execute(text("SELECT count(*) FROM share_links")).scalar() == 0
            assert conn.execute(text("SELECT count(finished) FROM hubs")).scalar() == 0
    finally:
        engine.dispose()
