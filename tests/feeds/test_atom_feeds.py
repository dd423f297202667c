"""The Atom feeds (issue 17): completed downloads with their files as enclosures, and the
episodes found; seeded by real checks of the fixture site and real downloads, read back
with feedparser; one owner's data only, behind a `feeds`-scope token in the query string."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser

from tests.api_helpers import add_item, assert_error, count_statements
from tests.check_helpers import configure
from tests.download_helpers import run_worker
from webapp.extensions import db
from webapp.models import WatchlistItem

# Characters a feed must escape, a URL must encode, and a file name may still hold.
ODD_TITLE = "Tom & Jerry's <100%> #1 “Été”"
FEEDS = ("/feeds/downloads.xml", "/feeds/new-episodes.xml")


def _show(app: Any, site: Any, name: str, episodes: int) -> str:
    configure(app)
    app.config.update(DOWNLOAD_RETRY_INTERVALS=(), HTTP_RETRIES=0, HTTP_TIMEOUT=(5.0, 5.0))
    key = f"/dir/nginx/{name}/"
    site.add_show("directory", key, name.title(), episodes=episodes,
                  options={"pattern": name.title() + " - {n:02d} (1080p).mkv"})
    return site.url_for(key)


def _check(app: Any, item_id: str) -> None:
    from webapp.checking.checker import EpisodeChecker

    with app.app_context():
        source_id = db.session.get(WatchlistItem, item_id).source_id
        assert EpisodeChecker().check_source(source_id).error is None


def _download_all(app: Any, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    with app.app_context():
        dispatch_pending()
        run_worker(redis_conn)


def _feeds_token(app: Any, user: Any) -> str:
    from webapp.auth.tokens import create_token

    with app.app_context():
        return create_token(user, "reader", "feeds")[1]


def _parse(client: Any, path: str, token: str) -> Any:
    resp = client.get(f"{path}?token={token}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "application/atom+xml" and "private" in resp.headers["Cache-Control"]
    parsed = feedparser.parse(resp.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _enclosure(entry: Any) -> dict:
    (link,) = [link for link in entry.links if link.rel == "enclosure"]
    return link


def _library(api: Any, app: Any, site: Any, redis_conn: Any) -> dict:
    """Two episodes of a show with an odd title, found and downloaded one after the other."""
    url = _show(app, site, "tomjerry", episodes=1)
    item = add_item(api, anime_url=url, provider_id="directory", anime_title=ODD_TITLE)
    _check(app, item["id"])
    _download_all(app, redis_conn)
    site.publish_episode("/dir/nginx/tomjerry/")
    _check(app, item["id"])
    _download_all(app, redis_conn)
    downloads = api.get(f"/api/downloads?item_id={item['id']}").get_json()
    assert [(d["episode"], d["status"]) for d in downloads] == [(2, "completed"),
                                                                 (1, "completed")]
    return {"item": item, "downloads": downloads}


def test_downloads_feed_lists_the_files_with_enclosures_that_serve_them(
        api: Any, app: Any, fixture_site: Any, redis_conn: Any) -> None:
    seeded = _library(api, app, fixture_site, redis_conn)
    token = _feeds_token(app, api.user)
    client = app.test_client()
    parsed = _parse(client, "/feeds/downloads.xml", token)

    assert [e.title for e in parsed.entries] == [f"{ODD_TITLE} S01E02", f"{ODD_TITLE} S01E01"]
    for entry, download in zip(parsed.entries, seeded["downloads"], strict=True):
        path = Path(download["path"])
        assert path.name in entry.summary and "'" in path.name and "&" in path.name
        enclosure = _enclosure(entry)
        assert enclosure.type == "video/x-matroska"
        assert int(enclosure.length) == path.stat().st_size == 64 * 1024
        assert entry.id.startswith("urn:uuid:")
        assert entry.link.endswith(f"/downloads/{download['id']}/watch")
        # The URL works exactly as given: absolute, token included, the name encoded.
        href = enclosure.href
        assert urlsplit(href).scheme == "http" and f"token={token}" in href
        whole = client.get(href)
        assert whole.status_code == 200 and whole.data == path.read_bytes()
        assert whole.mimetype == "video/x-matroska"
        assert "private" in whole.headers["Cache-Control"]
        part = client.get(href, headers={"Range": "bytes=100-1099"})
        assert part.status_code == 206 and part.data == path.read_bytes()[100:1100]
        assert part.headers["Content-Range"] == f"bytes 100-1099/{64 * 1024}"
        assert client.head(href).headers["Content-Length"] == str(64 * 1024)

    # The same ids on every read; a file gone from the library leaves the feed; one query
    # reads the feed, whatever its length.
    with count_statements(db.engine) as two_entries:
        again = _parse(client, "/feeds/downloads.xml", token)
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]
    Path(seeded["downloads"][0]["path"]).unlink()
    assert client.get(_enclosure(parsed.entries[0]).href).status_code == 404
    with count_statements(db.engine) as one_entry:
        after = _parse(client, "/feeds/downloads.xml", token)
    assert [e.title for e in after.entries] == [f"{ODD_TITLE} S01E01"]
    assert len(two_entries) == len(one_entry) <= 3, two_entries


def test_new_episodes_feed_says_which_ones_are_in_the_library(
        api: Any, app: Any, fixture_site: Any, redis_conn: Any) -> None:
    url = _show(app, fixture_site, "chronicle", episodes=2)
    item = add_item(api, anime_url=url, provider_id="directory", anime_title="Chronicle",
                    auto_download=False)
    _check(app, item["id"])
    assert api.post(f"/api/watchlist/{item['id']}/episodes/1/download").status_code == 202
    _download_all(app, redis_conn)
    token = _feeds_token(app, api.user)
    client = app.test_client()
    first = _parse(client, "/feeds/new-episodes.xml", token)
    assert sorted(e.title for e in first.entries) == ["Chronicle S01E01", "Chronicle S01E02"]
    by_title = {e.title: e for e in first.entries}
    one, two = by_title["Chronicle S01E01"], by_title["Chronicle S01E02"]
    assert "in the library" in one.summary and "not in the library" in two.summary
    assert [t.term for t in one.tags] == ["in-library"]
    assert [t.term for t in two.tags] == ["not-in-library"]
    assert one.link.endswith(f"/watchlist/{item['id']}")

    # A newer episode comes first; the others keep their ids; the query count stays flat.
    with count_statements(db.engine) as two_entries:
        _parse(client, "/feeds/new-episodes.xml", token)
    fixture_site.publish_episode("/dir/nginx/chronicle/", 3)
    _check(app, item["id"])
    with count_statements(db.engine) as five_entries:
        second = _parse(client, "/feeds/new-episodes.xml", token)
    assert len(two_entries) == len(five_entries) <= 3, five_entries
    assert len(second.entries) == 5
    assert second.entries[0].title in {"Chronicle S01E03", "Chronicle S01E04",
                                       "Chronicle S01E05"}
    assert [e.updated_parsed for e in second.entries] == sorted(
        (e.updated_parsed for e in second.entries), reverse=True)
    ids = {e.title: e.id for e in second.entries}
    assert ids["Chronicle S01E01"] == one.id and ids["Chronicle S01E02"] == two.id
    assert len(set(ids.values())) == 5


def test_another_users_token_sees_nothing_and_fetches_nothing(
        api: Any, app: Any, make_api: Any, fixture_site: Any, redis_conn: Any) -> None:
    _library(api, app, fixture_site, redis_conn)
    alice = _feeds_token(app, api.user)
    bob = _feeds_token(app, make_api("bob").user)
    client = app.test_client()
    for path in FEEDS:
        assert _parse(client, path, alice).entries
        assert _parse(client, path, bob).entries == []
    href = _enclosure(_parse(client, "/feeds/downloads.xml", alice).entries[0]).href
    assert client.get(href).status_code == 200
    assert_error(client.get(href.replace(alice, bob)), 404, "not_found")
    assert_error(client.get("/feeds/files/99999?token=" + alice), 404, "not_found")


def test_only_a_feeds_token_opens_a_feed_and_it_opens_nothing_else(
        api: Any, app: Any, make_api: Any) -> None:
    client = app.test_client()
    feeds = _feeds_token(app, api.user)
    read_write = make_api("carol", scopes="read,write").token
    for path in (*FEEDS, "/feeds/files/1", "/feeds/files/1/x.mkv"):
        assert_error(client.get(path), 401, "unauthorized")
        assert_error(client.get(f"{path}?token=wl_not-a-token"), 401, "unauthorized")
        assert_error(client.get(f"{path}?token={read_write}"), 403, "forbidden")
    for path in FEEDS:
        assert client.head(f"{path}?token={feeds}").status_code == 200
    assert_error(client.get("/api/watchlist", headers={"Authorization": f"Bearer {feeds}"}),
                 403, "forbidden")
    assert_error(client.get(f"/api/watchlist?token={feeds}"), 401, "unauthorized")
    # Revoked: the feed closes at once.
    from webapp.auth.tokens import list_tokens, revoke_token

    with app.app_context():
        revoke_token(api.user.id, list_tokens(api.user.id)[0].id)
    assert_error(client.get(f"/feeds/downloads.xml?token={feeds}"), 401, "unauthorized")


def test_an_empty_feed_is_still_valid_and_answers_304_when_unchanged(
        api: Any, app: Any) -> None:
    token = _feeds_token(app, api.user)
    client = app.test_client()
    for path in FEEDS:
        parsed = _parse(client, path, token)
        assert parsed.entries == [] and parsed.feed.id.startswith("urn:uuid:")
        etag = client.get(f"{path}?token={token}").headers["ETag"]
        assert client.get(f"{path}?token={token}",
                          headers={"If-None-Match": etag}).status_code == 304


def test_text_xml_cannot_carry_is_left_out_rather_than_breaking_the_feed(
        api: Any, app: Any, fixture_site: Any, redis_conn: Any) -> None:
    url = _show(app, fixture_site, "bell", episodes=1)
    # The API takes control characters in a title; XML 1.0 cannot hold them.
    item = add_item(api, anime_url=url, provider_id="directory", anime_title="Bell\x07 Show\x1b",
                    auto_download=False)
    _check(app, item["id"])
    parsed = _parse(app.test_client(), "/feeds/new-episodes.xml", _feeds_token(app, api.user))
    assert [e.title for e in parsed.entries] == ["Bell Show S01E01"]
