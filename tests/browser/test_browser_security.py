"""The Content-Security-Policy in a real browser: no page needs an inline script or style,
and the behaviours that used inline handlers (confirm before delete, select all, copy a
token) still work from static/app.js."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.page_helpers import add_items

pytestmark = pytest.mark.browser


def test_pages_run_under_the_csp_without_violations(page: Any, live: str, app: Any,
                                                   users: dict) -> None:
    item_ids = add_items(app, users["alice"], 3)
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    log_in(page, live)

    page.goto(live + "/watchlist")
    page.check("#select-all")
    expect(page.locator("#bulk input[name=ids]:checked")).to_have_count(3)
    page.uncheck("#select-all")
    expect(page.locator("#bulk input[name=ids]:checked")).to_have_count(0)

    page.goto(live + f"/watchlist/{item_ids[0]}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("button", name="Delete")).to_be_visible()  # still there
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url(lambda url: item_ids[0] not in url)

    for path in ("/settings", "/add", "/downloads", "/notifications"):
        page.goto(live + path)
    assert violations == []
