"""Settings → API tokens (issue 15, point 1): any non-empty set of scopes, checked by the
server with a clear message; no checkbox is `required` (a browser would demand all three)."""

from __future__ import annotations

import re

from tests.page_helpers import post


def test_the_scope_checkboxes_are_not_required(logged):
    html = logged.get("/settings").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="scopes"[^>]*>', html)
    assert len(boxes) == 3 and not any("required" in box for box in boxes)


def test_one_scope_is_enough_and_none_is_refused_with_a_reason(logged):
    resp = post(logged, "/settings/tokens", {"name": "feeds-only", "scopes": ["feeds"]},
                htmx=True)
    assert resp.status_code == 200 and re.search(r'value="wl_', resp.get_data(as_text=True))
    resp = post(logged, "/settings/tokens", {"name": "nothing"}, htmx=True)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Tick at least one scope" in text
    assert "This field is required" not in text
