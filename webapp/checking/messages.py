"""Sentences a person reads about a check: errors, notifications, episode numbers."""

from __future__ import annotations

from collections.abc import Iterable

from webapp.schemas import episode_number
from webapp.sites.types import ProviderError

ERROR_LABELS = {
    "unreachable": "Site unreachable",
    "blocked": "Blocked by an anti-bot page",
    "layout_changed": "Page layout changed",
    "removed": "Anime removed from the site",
    "unsupported": "Not supported",
}


def episode_list(numbers: Iterable[float]) -> list[int | float]:
    """Sorted episode numbers in API form (5, not 5.0)."""
    return [episode_number(n) for n in sorted(numbers)]


def format_numbers(numbers: Iterable[float], limit: int = 10) -> str:
    """'13, 14' (long runs shortened to '1–24') for notification texts."""
    values = sorted(numbers)
    if len(values) > limit:
        return f"{episode_number(values[0])}–{episode_number(values[-1])}"
    return ", ".join(str(episode_number(n)) for n in values)


def provider_error_text(exc: ProviderError) -> str:
    """The item/source error for a provider failure: its kind, then the provider's reason."""
    label = ERROR_LABELS.get(exc.kind, "Check failed")
    detail = str(exc).strip() or "no details were given"
    return f"{label}: {detail}"


def fetch_error_text(exc: Exception) -> str:
    """The error for a fetch failure the provider did not translate (network level)."""
    retryable = getattr(exc, "retryable", True)
    label = ERROR_LABELS["unreachable"] if retryable else "Check failed"
    return f"{label}: {str(exc).strip() or type(exc).__name__}"


def unexpected_error_text(exc: Exception) -> str:
    """The error for a crash inside a provider: said plainly, details go to the log."""
    return (f"Check failed: the page could not be read ({type(exc).__name__}); "
            "the details are in the worker log.")


def emptied_text(previous_count: int) -> str:
    """The error for a page that parses to nothing where episodes were listed before."""
    return (f"{ERROR_LABELS['layout_changed']}: the page lists no episodes although it "
            f"listed {previous_count} before, so the site's layout has probably changed.")


def new_episodes_text(title: str, numbers: list[float]) -> str:
    """The digest notification of one item's new episodes."""
    if len(numbers) == 1:
        return f"{title}: new episode {format_numbers(numbers)}."
    return f"{title}: {len(numbers)} new episodes ({format_numbers(numbers)})."


def source_error_text(title: str, failures: int, error: str) -> str:
    """The notification sent once when a source has failed several checks in a row."""
    return f"{title}: the last {failures} checks failed. {error}"
