"""One item's check state in plain words: the last attempt, the last success, the next check.

The watchlist row and the detail page both say it once, from the same three times and the
item's `last_error`, so they can never contradict each other ("failed" beside "never
checked").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from webapp.pages.filters import ago, until

CHECKED_STATUSES = ("active",)


@dataclass(frozen=True)
class CheckState:
    """What a person reads about an item's checks."""

    failed: bool               # the last check that ran failed
    error: str | None          # why, as the checker said it
    attempt: datetime | None   # the last check that ran
    success: datetime | None   # the last check that read the source
    next_check: str            # "in 3 h", "due now" or why there is none

    @property
    def never_checked(self) -> bool:
        """No check has run for this item yet."""
        return self.attempt is None and not self.failed

    @property
    def summary(self) -> str:
        """One sentence: what happened last, then what happens next."""
        if self.failed:
            when = f" {ago(self.attempt)}" if self.attempt else ""
            good = f"last good check {ago(self.success)}" if self.success else \
                "never read successfully"
            return f"Last check failed{when} ({good}). Next try {self.next_check}."
        if self.never_checked:
            return f"Not checked yet. First check {self.next_check}."
        return f"Checked {ago(self.success or self.attempt)}. Next check {self.next_check}."


def _next_check(item: Any) -> str:
    if item.status not in CHECKED_STATUSES:
        return f"not scheduled ({item.status})"
    text = until(item.next_check_at)
    return "due now (within a minute)" if text == "due now" else text


def check_state(item: Any) -> CheckState:
    """The check state of an item (an ORM item or a row with the same attribute names)."""
    failed = bool(item.last_error)
    success = getattr(item, "last_success_at", None) or item.last_checked_at
    # A failure recorded before attempts were (revision 0005) has no time of its own.
    attempt = getattr(item, "last_attempt_at", None) or (None if failed else success)
    return CheckState(failed=failed, error=item.last_error, attempt=attempt,
                      success=success, next_check=_next_check(item))
