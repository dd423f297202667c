"""Scheduled backups: the tick's job writes every user's export into the instance folder
through a real RQ worker, only the newest BACKUP_KEEP stay, a restore brings deleted items
back (twice adds nothing), unknown users are reported and only listed names are opened."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq import Queue

from tests.check_helpers import BurstWorker
from tests.page_helpers import add_items, quick_user
from webapp.checking.tick import tick
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.infra import keys
from webapp.models import User
from webapp.watchlist.manager import WatchlistManager
from webapp.watchlist.scheduled_backups import (
    backup_dir,
    list_backups,
    restore_backup,
    write_backup,
)

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def _titles(user_id: int) -> list[str]:
    db.session.expire_all()
    return sorted(i.anime_title for i in WatchlistManager(user_id).list_items())


def _run_default_queue(redis_conn) -> None:
    BurstWorker([Queue("default", connection=redis_conn)], connection=redis_conn).work(
        burst=True)
    db.session.remove()


def test_the_tick_sends_a_backup_job_that_writes_every_users_export(ctx, make_api, redis_conn):
    alice_api = make_api("alice")
    alice, bob = alice_api.user, quick_user(ctx, "bob")
    add_items(ctx, alice, 3)
    add_items(ctx, bob, 2, anime_title="Bob's show")
    ctx.config["BACKUP_EVERY_HOURS"] = 24
    ctx.config["BACKUP_DELAY_SECONDS"] = 0

    assert tick().backup_sent is True
    assert tick().backup_sent is False           # once per BACKUP_EVERY_HOURS
    assert 0 < redis_conn.ttl(keys.BACKUP_TURN) <= 24 * 3600
    _run_default_queue(redis_conn)

    [listed] = list_backups()
    assert (listed["users"], listed["items"]) == (2, 5)
    path = backup_dir() / listed["name"]
    assert path.parent == Path(ctx.instance_path) / "backups"
    assert os.stat(path).st_mode & 0o777 == 0o600    # it lists users' anime URLs
    assert listed["size"] == path.stat().st_size
    doc = json.loads(path.read_text())
    assert doc["version"] == 1 and doc["created_at"].endswith("Z")
    by_name = {u["username"]: u["document"] for u in doc["users"]}
    assert set(by_name) == {"alice", "bob"}
    exported = alice_api.get("/api/watchlist/export").get_json()
    for key in ("version", "settings", "items"):
        assert by_name["alice"][key] == exported[key]
    assert [i["anime_title"] for i in by_name["bob"]["items"]] == ["Bob's show"] * 2
    assert not list(backup_dir().glob(".*.tmp"))   # written atomically, no leftovers


def test_the_backup_waits_a_few_minutes_after_its_turn(ctx, redis_conn):
    from rq.registry import ScheduledJobRegistry

    ctx.config.update(BACKUP_EVERY_HOURS=24, BACKUP_DELAY_SECONDS=600)
    assert tick().backup_sent is True
    assert Queue("default", connection=redis_conn).count == 0
    scheduled = ScheduledJobRegistry("default", connection=redis_conn)
    [job_id] = scheduled.get_job_ids()
    assert 590 <= scheduled.get_scheduled_time(job_id).timestamp() - time.time() <= 610


def test_backups_can_be_turned_off(ctx, redis_conn):
    ctx.config["BACKUP_EVERY_HOURS"] = 0
    assert tick().backup_sent is False
    assert Queue("default", connection=redis_conn).count == 0
    assert not redis_conn.exists(keys.BACKUP_TURN)


def test_only_the_newest_backups_are_kept(ctx):
    add_items(ctx, quick_user(ctx, "alice"), 1)
    ctx.config["BACKUP_KEEP"] = 3
    backup_dir().mkdir(parents=True)
    (backup_dir() / "notes.txt").write_text("an admin's own file")
    names = [write_backup(T0 + timedelta(hours=n))["name"] for n in range(5)]
    assert names[0] == "watchlist-20260302-030000.json"
    assert [b["name"] for b in list_backups()] == names[:1:-1]   # newest first
    assert (backup_dir() / "notes.txt").exists()


def test_restore_brings_deleted_items_back_and_twice_adds_nothing(ctx):
    alice, bob = quick_user(ctx, "alice"), quick_user(ctx, "bob")
    ids = add_items(ctx, alice, 3)
    add_items(ctx, bob, 1, anime_title="Bob's show")
    name = write_backup(T0)["name"]
    before = _titles(alice.id)
    for item_id in ids[:2]:
        WatchlistManager(alice.id).delete_item(item_id)
    assert len(_titles(alice.id)) == 1

    result = restore_backup(name)
    assert result == {"users": 2, "created": 2, "skipped": 2, "unknown_users": [],
                      "failed_users": []}
    assert _titles(alice.id) == before
    assert _titles(bob.id) == ["Bob's show"]
    again = restore_backup(name)
    assert (again["created"], again["skipped"]) == (0, 4)
    assert _titles(alice.id) == before


def test_a_user_unknown_on_this_install_is_reported(ctx):
    alice, bob = quick_user(ctx, "alice"), quick_user(ctx, "bob")
    add_items(ctx, alice, 1)
    add_items(ctx, bob, 2)
    name = write_backup(T0)["name"]
    db.session.get(User, bob.id).username = "robert"   # "bob" exists no more
    db.session.commit()

    result = restore_backup(name)
    assert result["unknown_users"] == ["bob"]
    assert (result["users"], result["created"], result["skipped"]) == (1, 0, 1)
    assert len(_titles(bob.id)) == 2                   # nobody's list got bob's items twice


@pytest.mark.parametrize("name", [
    "../secret_key", "..", "secret_key", "watchlist.db", "/etc/passwd",
    "watchlist-20260302-030000.json/../../secret_key", "../watchlist-20260302-040000.json",
    "watchlist-20260302-050000.json",       # well formed, but no such file
    "watchlist-20260399-000000.json",       # not a time
    "backups/watchlist-20260302-030000.json",
])
def test_a_name_that_is_not_a_listed_backup_is_refused(ctx, name):
    write_backup(T0)
    # A backup-shaped file outside the folder is never opened.
    (backup_dir().parent / "watchlist-20260302-040000.json").write_text(
        json.dumps({"version": 1, "users": []}))
    with pytest.raises(NotFound):
        restore_backup(name)


def test_a_link_inside_the_folder_is_not_a_backup(ctx, tmp_path):
    write_backup(T0)
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps({"version": 1, "users": []}))
    (backup_dir() / "watchlist-20260302-060000.json").symlink_to(outside)
    assert [b["name"] for b in list_backups()] == ["watchlist-20260302-030000.json"]
    with pytest.raises(NotFound):
        restore_backup("watchlist-20260302-060000.json")


def test_a_damaged_user_document_does_not_block_the_others(ctx):
    alice, bob = quick_user(ctx, "alice"), quick_user(ctx, "bob")
    add_items(ctx, alice, 2)
    bob_ids = add_items(ctx, bob, 1)
    name = write_backup(T0)["name"]
    path = backup_dir() / name
    doc = json.loads(path.read_text())
    alice_doc = next(u["document"] for u in doc["users"] if u["username"] == "alice")
    alice_doc["items"][0]["anime_url"] = "ftp://files.example.org/anime/x/"
    path.write_text(json.dumps(doc))
    WatchlistManager(bob.id).delete_item(bob_ids[0])
    for item in WatchlistManager(alice.id).list_items():
        WatchlistManager(alice.id).delete_item(item.id)

    result = restore_backup(name)
    assert (result["users"], result["created"]) == (1, 1)
    [failed] = result["failed_users"]
    assert failed["username"] == "alice" and "nothing was imported" in failed["message"]
    assert _titles(alice.id) == [] and len(_titles(bob.id)) == 1
