"""Helpers of the browser tests: logging in, telling a swap from a reload, screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def log_in(page: Any, base: str, username: str = "alice") -> None:
    """Log in through the login form and land on the watchlist."""
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", "password123")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/watchlist")


def mark_page(page: Any) -> None:
    """Tag the current document: the tag survives htmx swaps but not a full reload."""
    page.evaluate("window.__noReload = true")


def not_reloaded(page: Any) -> bool:
    """Whether the page tagged by mark_page is still the same document."""
    return page.evaluate("window.__noReload === true")


def screenshot(page: Any, name: str) -> None:
    """Save the page at desktop width and at 390 px (a phone) under test-output/screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.querySelectorAll('img[loading=lazy]')"
                  ".forEach(function (img) { img.loading = 'eager'; })")
    page.wait_for_function("Array.from(document.images).every(function (i) { return i.complete; })")
    size = page.viewport_size or DESKTOP
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size(size)
