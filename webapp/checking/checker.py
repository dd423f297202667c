"""EpisodeChecker: check one source once and update every item that points at it.

One check (DESIGN flow 2): fetch the source through its provider with a conditional GET
→ upsert `source_episodes` → for every item on the source: `last_episode_available`;
for the items the check counts for (checkable items of owners whose automatic checks are
on, and the items of a manual check) also `last_checked_at`, `next_check_at`, new
episodes, `last_error`, pending downloads and one digest notification per user. A
failure keeps the items' last good state, says why, and retries later with a backoff.
Locking and jobs live in `webapp.checking`; this module only talks to the database and
the provider.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from webapp.checking import backup_sources, expected, messages, rhythm, store
from webapp.checking.fetching import fetch_source
from webapp.checking.history import record_check
from webapp.checking.messages import episode_list
from webapp.clock import isoformat, utcnow
from webapp.extensions import db
from webapp.infra.site_access import get_http_client, get_registry
from webapp.infra.site_settings import site_feeds_off
from webapp.notifications.inbox import notify
from webapp.schemas import episode_number

log = logging.getLogger(__name__)

SOURCE_ERROR_AFTER = 3          # failed checks in a row before owners are told, once
RETRY_BASE = timedelta(minutes=15)


@dataclass
class CheckOutcome:
    """What one check of a source did; `result(item_id)` is an item's AutoDownloadResult."""

    source_id: int
    checked_at: datetime
    error: str | None = None
    not_modified: bool = False
    episodes_available: float | None = None
    checked: set[str] = field(default_factory=set)   # items the check fully counted for
    downloads_created: int = 0
    # item id -> arguments of auto_download_result: built only for the results asked for
    _per_item: dict[str, tuple] = field(default_factory=dict, repr=False)

    def add(self, item: store.ItemState, available: float | None, new: Iterable[float] = (),
            queued: Iterable[float] = (), error: str | None = None) -> None:
        """Record what the check found for one item."""
        self._per_item[item.id] = (item, self.checked_at, available, new, queued, error)

    def result(self, item_id: str) -> dict | None:
        """The item's AutoDownloadResult (None for an item not on the source)."""
        args = self._per_item.get(item_id)
        return auto_download_result(*args) if args else None

    @property
    def results(self) -> dict[str, dict]:
        """Every item's AutoDownloadResult."""
        return {item_id: self.result(item_id) for item_id in self._per_item}

    def summary(self) -> dict[str, Any]:
        """A small JSON-able record of the check (the source job's result)."""
        return {"source_id": self.source_id, "checked_at": isoformat(self.checked_at),
                "error": self.error, "not_modified": self.not_modified,
                "episodes_available": None if self.episodes_available is None
                else episode_number(self.episodes_available),
                "items": len(self._per_item), "checked_items": len(self.checked),
                "downloads_created": self.downloads_created}


def counts_fully(item: store.ItemState, manual: set[str]) -> bool:
    """Whether a check gives this item more than availability (SPEC §5 shared checks)."""
    if item.id in manual:
        return True
    if item.user_disabled or not item.scheduler_enabled:
        return False
    return item.status == "active" or (item.status == "completed"
                                       and item.include_completed_anime)


def retry_delay(failures: int, interval_hours: int, retryable: bool) -> timedelta:
    """When to try a failing source again: backoff from 15 min, never later than usual."""
    interval = timedelta(hours=interval_hours)
    if not retryable:
        return interval
    return min(interval, RETRY_BASE * 2 ** min(failures - 1, 12))


def auto_download_result(item: store.ItemState, checked_at: datetime,
                         available: float | None, new: Iterable[float] = (),
                         queued: Iterable[float] = (), error: str | None = None) -> dict:
    """One item's AutoDownloadResult as the API shows it."""
    return {"item_id": item.id, "anime_title": item.anime_title,
            "checked_at": isoformat(checked_at),
            "episodes_available": None if available is None else episode_number(available),
            "new_episodes": episode_list(new), "downloads_queued": episode_list(queued),
            "error": error}


class EpisodeChecker:
    """Checks sources: one fetch per source, every item on it updated by its owner's rules."""

    def __init__(self, client: Any = None, registry: Any = None) -> None:
        self._client = client
        self._registry = registry
        self._feeds: set[str] | None = None

    @property
    def client(self) -> Any:
        """The shared HTTP client (webapp.sites.http)."""
        if self._client is None:
            self._client = get_http_client()
        return self._client

    @property
    def registry(self) -> Any:
        """The provider registry of the current app."""
        if self._registry is None:
            self._registry = get_registry()
        return self._registry

    def check_source(self, source_id: int, *,
                     manual_item_ids: Iterable[str] = ()) -> CheckOutcome:
        """Fetch the source once and apply the result to every item pointing at it."""
        session = db.session
        source = store.load_source(session, source_id)
        if source is None:
            raise LookupError(f"source {source_id} does not exist")
        session.commit()  # no transaction stays open during the fetch
        fetched = fetch_source(self.registry, self.client, source)
        planning = None if fetched.error else expected.planning_of(
            self.registry, self.client, source.provider_id)
        now = utcnow()
        try:
            # Every read first, then the writes in one short burst (SQLite has one writer).
            with session.no_autoflush:
                outcome = self._update(source, fetched, manual_item_ids, now, planning)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return outcome

    def _update(self, source: store.SourceState, fetched: Any,
                manual_item_ids: Iterable[str], now: datetime,
                planning: expected.Planning | None = None) -> CheckOutcome:
        """Apply one fetch to the source, its episodes and every item on it."""
        source_id = source.id
        items = store.load_items(db.session, source_id)
        manual = set(manual_item_ids)
        full = {item.id for item in items if counts_fully(item, manual)}
        outcome = CheckOutcome(source_id, now, checked=full)
        error, retryable = fetched.error, fetched.retryable
        # The source row's new values; the check ends the tick's claim on the source.
        values: dict[str, Any] = {"last_fetched_at": now, "check_claimed_until": None}
        if error is None:
            numbers, changes = self._episodes(source, fetched.episodes, now, outcome, values)
            if numbers is None:
                error, retryable = outcome.error, False
        if error is None:
            values.update(expected.expected_values(
                db.session, source, planning, [e["first_seen_at"] for e in changes.new], now))
            self._apply_success(source, items, numbers, changes, outcome,
                                values.get("next_episode_expected_at"))
            values.update(last_success_at=now, last_error=None, consecutive_failures=0)
        else:
            failures = (source.consecutive_failures or 0) + 1
            self._apply_failure(items, error, retryable, failures, outcome)
            values.update(last_error=error, consecutive_failures=failures)
            log.info("check of source %s failed (%d in a row): %s", source_id, failures, error)
        store.save_source(db.session, source_id, values)
        # Items with backup sources: episodes from the first source that has them
        outcome.downloads_created += backup_sources.apply_check(
            db.session, source_id, error, now, lambda item: counts_fully(item, manual))
        record_check(items, outcome)  # the items' activity, in the same transaction
        return outcome

    def _episodes(self, source: store.SourceState, listed: Any, now: datetime,
                  outcome: CheckOutcome, values: dict[str, Any]
                  ) -> tuple[list[float] | None, store.EpisodeChanges]:
        """The numbers the source has (None for a bad page) and the episode rows to write;
        the page's validators and title go into the source row's `values`."""
        stored = store.load_episodes(db.session, source.id)
        changes = store.EpisodeChanges()
        if listed.not_modified:
            outcome.not_modified = True
            return [e.number for e in stored], changes
        if not listed.episodes and stored:
            outcome.error = messages.emptied_text(len(stored))
            return None, changes
        values.update(etag=listed.validators.etag,
                      last_modified=listed.validators.last_modified)
        if listed.title:
            values["title"] = listed.title[:500]
        changes = store.episode_changes(source.id, stored, listed.episodes, now)
        return sorted(float(e.number) for e in listed.episodes), changes

    def _next_check(self, source: store.SourceState, item: store.ItemState, now: datetime,
                    expected_at: datetime | None) -> datetime:
        """The owner's interval, brought closer around the expected release (polling by
        rhythm) — unless the site's recently-added page already watches the item."""
        interval = timedelta(hours=item.check_interval_hours)
        if item.fast_detection and source.provider_id in self._feed_providers():
            return now + interval
        if expected_at is not None and expected_at.tzinfo is None:
            expected_at = expected_at.replace(tzinfo=UTC)  # predictions are naive UTC
        return rhythm.next_check_at(now, interval, expected_at)

    def _feed_providers(self) -> set[str]:
        if self._feeds is None:
            self._feeds = {p.id for p in self.registry.providers if p.has_site_feed} - \
                site_feeds_off()
        return self._feeds

    def _apply_success(self, source: store.SourceState, items: list[store.ItemState],
                       numbers: list[float], changes: store.EpisodeChanges,
                       outcome: CheckOutcome, expected_at: datetime | None = None
                       ) -> None:
        now, full = outcome.checked_at, outcome.checked
        available = max(numbers) if numbers else 0.0
        outcome.episodes_available = available
        wanting = [i for i in items if i.id in full and i.auto_download
                   and i.auto_download_enabled]
        have = store.existing_downloads(
            db.session, source.id, min(i.last_episode_downloaded for i in wanting)
        ) if wanting else set()
        rows, downloads, new_by_item = [], [], {}
        for item in items:
            if item.id not in full:
                if item.last_episode_available != available:
                    rows.append({"id": item.id, "last_episode_available": available,
                                 "updated_at": now})
                continue
            prev = item.last_episode_available
            new_by_item[item.id] = [n for n in numbers if prev is None or n > prev]
            rows.append({"id": item.id, "last_episode_available": available,
                         "last_checked_at": now, "last_success_at": now,
                         "last_attempt_at": now, "last_error": None, "updated_at": now,
                         "next_check_at": self._next_check(source, item, now, expected_at)})
        for item in wanting:
            downloads += [{"item_id": item.id, "user_id": item.user_id,
                           "source_id": source.id, "episode": n}
                          for n in numbers if n > item.last_episode_downloaded
                          and (item.id, n) not in have]
        store.save_episodes(db.session, changes)
        store.update_items(db.session, rows)
        created = store.create_downloads(db.session, downloads, now)
        outcome.downloads_created = len(created)
        queued: dict[str, list[float]] = {}
        for item_id, number in created:
            queued.setdefault(item_id, []).append(number)
        for item in items:
            new = new_by_item.get(item.id, [])
            outcome.add(item, available, new, queued.get(item.id, ()))
            if new and item.notify_on_new_episodes:
                notify(item.user_id, "new_episodes",
                        messages.new_episodes_text(item.anime_title, new), item.id)

    def _apply_failure(self, items: list[store.ItemState], error: str, retryable: bool,
                       failures: int, outcome: CheckOutcome) -> None:
        now, full = outcome.checked_at, outcome.checked
        outcome.error = error
        rows = []
        for item in items:
            outcome.add(item, item.last_episode_available, error=error)
            if item.id in full:
                delay = retry_delay(failures, item.check_interval_hours, retryable)
                rows.append({"id": item.id, "last_error": error, "next_check_at": now + delay,
                             "last_attempt_at": now, "updated_at": now})
        store.update_items(db.session, rows)
        if failures == SOURCE_ERROR_AFTER:
            told: set[int] = set()
            for item in items:
                if item.id in full and item.user_id not in told:
                    told.add(item.user_id)
                    notify(item.user_id, "source_error",
                            messages.source_error_text(item.anime_title, failures, error),
                            item.id)
