"""Scheduled backups: every user's watchlist export, kept as files in the instance folder.

`write_backup` writes `<instance>/backups/watchlist-YYYYMMDD-HHMMSS.json` — for each user
the document `GET /api/watchlist/export` answers, keyed by username — atomically (a temp
file then `os.replace`), readable by the app's account only (it lists users' anime URLs),
and keeps the newest `BACKUP_KEEP` files. The tick sends the job that calls it once per
`BACKUP_EVERY_HOURS`; the admin page lists the files and restores one.

`restore_backup` imports each user's document through the import path of
`POST /api/watchlist/import` (`WatchlistManager.import_`): idempotent, so restoring twice
adds nothing; users unknown on this install are reported, never created. Only a name the
folder lists is ever opened: anything else is "no such backup".
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from pydantic import ValidationError
from sqlalchemy import select

from webapp.clock import isoformat, utcnow
from webapp.errors import DomainError, Invalid, NotFound
from webapp.extensions import db
from webapp.models import User
from webapp.schemas import WatchlistImport
from webapp.watchlist.manager import WatchlistManager

NAME_RE = re.compile(r"^watchlist-(\d{8}-\d{6})\.json$")
NAME_TIME = "%Y%m%d-%H%M%S"
TEMP_PREFIX = ".watchlist-"
STALE_TEMP_SECONDS = 3600   # a temp file this old was left by a write that died


def backup_dir() -> Path:
    """The folder of the backups: `backups/` in the app's instance folder."""
    return Path(current_app.instance_path) / "backups"


def _document(now: datetime) -> dict[str, Any]:
    users = db.session.execute(select(User.id, User.username).order_by(User.id)).all()
    return {"version": 1, "created_at": isoformat(now),
            "users": [{"username": username, "document": WatchlistManager(user_id).export()}
                      for user_id, username in users]}


def write_backup(now: datetime | None = None) -> dict[str, Any]:
    """Write one backup of every user's watchlist, prune to BACKUP_KEEP; its summary."""
    now = now or utcnow()
    folder = backup_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    doc = _document(now)
    db.session.commit()  # an export may have created a user's missing settings row
    name = f"watchlist-{now.astimezone(UTC).strftime(NAME_TIME)}.json"
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=folder)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, folder / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    prune(int(current_app.config.get("BACKUP_KEEP", 7)))
    return {"name": name, "users": len(doc["users"]),
            "items": sum(len(u["document"]["items"]) for u in doc["users"]),
            "size": (folder / name).stat().st_size}


def created_at(name: str) -> datetime | None:
    """The time a backup's name gives, or None for a name that is not a backup's."""
    match = NAME_RE.match(name)
    try:
        return datetime.strptime(match.group(1), NAME_TIME).replace(tzinfo=UTC) if match else None
    except ValueError:
        return None


def _backup_files() -> list[Path]:
    """The backup files of the folder, newest first (plain files only, no symlinks)."""
    folder = backup_dir()
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:
        found = [Path(e.path) for e in entries
                 if created_at(e.name) and e.is_file(follow_symlinks=False)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def prune(keep: int) -> list[str]:
    """Delete all but the newest `keep` (at least one) backups, and dead temp files."""
    removed = []
    for path in _backup_files()[max(1, keep):]:
        path.unlink(missing_ok=True)
        removed.append(path.name)
    cutoff = time.time() - STALE_TEMP_SECONDS
    for temp in backup_dir().glob(f"{TEMP_PREFIX}*.tmp"):
        try:
            if temp.stat().st_mtime < cutoff:
                temp.unlink()
        except FileNotFoundError:
            pass  # another write just finished with it
    return removed


def _load(path: Path) -> dict[str, Any]:
    """A backup's content, or Invalid when it is not a backup this app wrote."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise Invalid(f"The backup {path.name} cannot be read: {exc.strerror}.") from None
    except ValueError:  # not UTF-8, or not JSON
        raise Invalid(f"The backup {path.name} cannot be read: it is not JSON.") from None
    if not isinstance(doc, dict):
        doc = {}
    users = doc.get("users")
    if doc.get("version") != 1 or not isinstance(users, list) or not all(
            isinstance(u, dict) and isinstance(u.get("username"), str)
            and isinstance(u.get("document"), dict) for u in users):
        raise Invalid(f"The backup {path.name} is not a watchlist backup.")
    return doc


def list_backups() -> list[dict[str, Any]]:
    """The backups, newest first: name, time, size, and users and items (None if unreadable)."""
    listed = []
    for path in _backup_files():
        entry: dict[str, Any] = {"name": path.name, "created_at": created_at(path.name),
                                 "size": path.stat().st_size, "users": None, "items": None}
        try:
            users = _load(path)["users"]
            entry["users"] = len(users)
            entry["items"] = sum(len(u["document"]["items"]) for u in users
                                 if isinstance(u["document"].get("items"), list))
        except Invalid as exc:
            entry["error"] = exc.message
        listed.append(entry)
    return listed


def find_backup(name: str) -> Path:
    """The file of a listed backup; NotFound for any other name (paths, `..`, links)."""
    for path in _backup_files():
        if path.name == name:
            return path
    raise NotFound("backup")


def restore_backup(name: str) -> dict[str, Any]:
    """Import each known user's document of the backup (idempotent); what it did."""
    doc = _load(find_backup(name))
    ids = dict(db.session.execute(select(User.username, User.id)).all())
    result: dict[str, Any] = {"users": 0, "created": 0, "skipped": 0, "unknown_users": [],
                              "failed_users": []}
    for entry in doc["users"]:
        username = entry["username"]
        if username not in ids:
            result["unknown_users"].append(username)
            continue
        try:
            created, skipped = WatchlistManager(ids[username]).import_(
                WatchlistImport.model_validate(entry["document"]))
        except (ValidationError, DomainError) as exc:
            db.session.rollback()
            message = exc.message if isinstance(exc, DomainError) else "not an export document."
            result["failed_users"].append({"username": username, "message": message})
            continue
        result["users"] += 1
        result["created"] += created
        result["skipped"] += skipped
    return result
