"""The imports page in Chromium: upload a MyAnimeList export, untick one match, correct
another, confirm, and find the anime on the watchlist; and the same without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    log_in,
    mark_page,
    not_reloaded,
    screenshot,
)
from tests.fixtures.lists.standin import MAL_EXPORT, add_catalogue
from tests.page_helpers import use_fixture_site


@pytest.fixture
def listed(app: Any, fixture_site: Any) -> Any:
    """The app searching the fixture site, which has every anime the list fixtures name."""
    add_catalogue(fixture_site)
    use_fixture_site(app, fixture_site)
    return fixture_site


def _row(page: Any, title: str) -> Any:
    return page.locator("#import-area tbody tr", has=page.get_by_text(title, exact=True))


def _fits(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_confirm_page_untick_correct_and_add(page: Any, live: str, users: dict,
                                             listed: Any) -> None:
    log_in(page, live)
    page.goto(live + "/imports")
    mark_page(page)
    page.set_input_files("#import-export", str(MAL_EXPORT))
    page.click("text=Match my list")
    page.wait_for_selector("#import-area table")
    assert not_reloaded(page) and "/imports/" in page.url  # swapped in, URL pushed
    assert page.locator("#import-area tbody tr").count() == 39
    naruto = _row(page, "Naruto")
    assert "not found" in naruto.inner_text()
    assert not naruto.locator("input[type=checkbox]").is_checked()
    assert _row(page, "Sousou no Frieren").locator("input[type=checkbox]").is_checked()
    _row(page, "One Piece").locator("input[type=checkbox]").uncheck()
    naruto.locator("input[type=checkbox]").check()
    naruto.locator("input[type=url]").fill(
        listed.url + "/catalogue/naruto-shippuden/saison2/vostfr/")
    ticked = page.locator("#import-area tbody input[type=checkbox]:checked").count()
    page.set_viewport_size(PHONE)
    assert _fits(page)
    page.set_viewport_size(DESKTOP)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "imports-confirm.png"), full_page=True)
    screenshot(page, "imports-confirm")
    page.click("text=Add the ticked anime")
    page.wait_for_selector("#import-result")
    assert not_reloaded(page)
    assert f"Added {ticked} anime" in page.inner_text("#import-result")
    page.goto(live + "/watchlist")
    assert f"{ticked}\nTotal" in page.inner_text("main")
    page.goto(live + "/watchlist?q=naruto")
    found = page.inner_text("main")  # the match, and the correction (titled as on the list)
    assert "Naruto Shippuden" in found and found.count("Not checked yet") == 2
    page.goto(live + "/watchlist?q=piece")
    assert "One Piece" not in page.inner_text("main").replace('value="piece"', "")


def test_imports_work_without_javascript(browser: Any, live: str, users: dict,
                                         listed: Any) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    try:
        log_in(page, live)
        page.goto(live + "/imports")
        page.fill("#import-user", "no such user!")
        page.click("text=Match their list")
        assert "Type an AniList user name" in page.inner_text("#import-area")
        page.set_input_files("#import-export", str(MAL_EXPORT))
        page.click("text=Match my list")
        page.wait_for_selector("#import-area table")
        assert "/imports/" in page.url
        page.click("text=Add the ticked anime")
        assert "anime to your watchlist" in page.inner_text("#import-result")
        page.click("text=Add the ticked anime")  # the same again: nothing new
        assert "Added 0 anime" in page.inner_text("#import-result")
    finally:
        context.close()
