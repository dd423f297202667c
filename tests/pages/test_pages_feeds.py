"""Settings → Feeds (issue 17): the feed URLs to copy, and a feeds-only token created for
them, shown once inside the URLs, that opens the feeds and nothing else."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser

from tests.page_helpers import post

FEED_PATHS = ("/feeds/downloads.xml", "/feeds/new-episodes.xml")
URL_INPUT = re.compile(r'<input[^>]*value="(http://localhost/feeds/[^"]+)"[^>]*>')


def _feed_urls(page: str) -> list[str]:
    return [html.unescape(url) for url in URL_INPUT.findall(page)]


def test_the_section_lists_the_feeds_without_a_token_until_one_is_created(logged: Any) -> None:
    page = logged.get("/settings").get_data(as_text=True)
    assert 'id="feeds"' in page and "feeds</em> scope" in page
    for path in FEED_PATHS:
        assert f"http://localhost{path}?token=&lt;feeds token&gt;" in page
    assert _feed_urls(page) == []


def test_creating_a_feeds_token_shows_working_urls_once(logged: Any, app: Any,
                                                        alice: Any) -> None:
    resp = post(logged, "/settings/feeds/token")
    assert resp.status_code == 200
    urls = _feed_urls(resp.get_data(as_text=True))
    assert set(FEED_PATHS) <= {urlsplit(url).path for url in urls}
    (token,) = {parse_qs(urlsplit(url).query)["token"][0] for url in urls}
    assert token.startswith("wl_")

    # The URLs work as shown, in a client without the session; the token is feeds-only.
    reader = app.test_client()
    for url in urls:
        if urlsplit(url).path in FEED_PATHS:
            feed = reader.get(url)
            assert feed.status_code == 200 and not feedparser.parse(feed.data).bozo
    api = reader.get("/api/watchlist", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403
    page = logged.get("/settings").get_data(as_text=True)
    assert token not in page and _feed_urls(page) == []
    row = re.search(r'<td data-label="Name">feeds</td>.*?</tr>', page, re.S)
    assert row and '<span class="tag">feeds</span>' in row.group(0)
    assert '<span class="tag">read</span>' not in row.group(0)


def test_with_htmx_the_feeds_and_tokens_sections_come_back(logged: Any) -> None:
    resp = post(logged, "/settings/feeds/token", htmx=True)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="feeds"' in text and 'id="tokens"' in text
    assert len(_feed_urls(text)) >= 2
    assert '<td data-label="Name">feeds</td>' in text


def test_creating_a_feeds_token_needs_the_forms_csrf_token(logged: Any) -> None:
    assert logged.post("/settings/feeds/token").status_code == 400
    page = logged.get("/settings").get_data(as_text=True)
    assert '<td data-label="Name">feeds</td>' not in page
