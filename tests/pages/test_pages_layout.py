"""The base template: htmx from the CDN with its SRI (or the identical local copy), CSRF
header for htmx, the stylesheet, and `Vary: HX-Request` on pages that serve fragments."""

from __future__ import annotations

import base64
import hashlib
import re

from tests.conftest import ROOT
from tests.page_helpers import quick_user, session_login

SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"


def test_local_htmx_copy_matches_the_pinned_sri(client, app):
    data = (ROOT / "static" / "vendor" / "htmx-2.0.11.min.js").read_bytes()
    assert "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode() == SRI
    html = client.get("/setup").get_data(as_text=True)
    assert f'src="/static/vendor/htmx-2.0.11.min.js" integrity="{SRI}"' in html
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_cdn_htmx_by_default(client, app):
    app.config["HTMX_SRC"] = "cdn"
    html = client.get("/setup").get_data(as_text=True)
    assert ('src="https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js" '
            f'integrity="{SRI}" crossorigin="anonymous"') in html


def test_every_page_sends_the_csrf_token_to_htmx(client, app):
    session_login(client, quick_user(app, "alice"))
    for path in ("/watchlist", "/add", "/downloads", "/settings", "/notifications"):
        html = client.get(path).get_data(as_text=True)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in html, path
        assert 'href="/static/style.css"' in html and 'name="viewport"' in html


def test_pages_that_serve_fragments_vary_on_hx_request(client, app):
    session_login(client, quick_user(app, "alice"))
    for path in ("/watchlist", "/downloads", "/notifications", "/add"):
        assert "HX-Request" in client.get(path).headers.get("Vary", ""), path
