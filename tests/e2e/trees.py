"""Process trees of a running stack, read from /proc while its children come and go."""

from __future__ import annotations

from tests.e2e.test_resilience_e2e import tree


def tree_of(pid: int, tries: int = 20) -> set[int]:
    """`pid` and its descendants; read again when a process left during the walk (the
    pool replaces a download worker after each download)."""
    for _ in range(tries - 1):
        try:
            return tree(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return tree(pid)
