"""Failing over between the players anime-sama lists in 2026, through the real download job
(RQ SimpleWorker, real Redis) against the fixture site's Embed4me and AnsEmbed hosts.

AnsEmbed ranks before Embed4me (webapp.sites.hosts.registry), so it is tried first; each
test makes the first one tried fail and checks the episode still arrives, byte for byte
(the variant's very frames: the HLS engine may remux the segments into MP4), and what the
download's record says about the player that failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.download_helpers import add_download, row, run_worker, seed_item
from tests.fixture_site import site_config
from tests.fixtures.hosts.pages import assert_same_video
from webapp.sites.types import Player

APP_CONFIG = {"HTTP_RETRIES": 0, "HTTP_BACKOFF_SECONDS": 0.01, "MAX_PARALLEL_DOWNLOADS": 3,
              "DOWNLOAD_RETRY_INTERVALS": (3600,)}  # for the `ctx` fixture
LPAYER = "https://lpayer.embed4me.com/#ia5qn"
ANSEMBED = "https://ansembed.net/embed-abc123def456.html"


def _on_the_site(ctx: Any, site: Any) -> None:
    """Point the providers and the hosts (Embed4me, AnsEmbed…) at the fixture site."""
    config = site_config(site)
    ctx.config["BASE_URLS"] = {**ctx.config.get("BASE_URLS", {}), **config["BASE_URLS"]}
    ctx.config["ALLOW_PRIVATE_HOSTS"] = config["ALLOW_PRIVATE_HOSTS"]


def _episode(user_id: int, players: list[str]) -> int:
    _, item_id = seed_item(user_id, {1: [Player(url).to_dict() for url in players]},
                           source_title="Frieren")
    return add_download(user_id, item_id, 1)


def test_dead_lpayer_is_recorded_and_the_episode_arrives_through_ansembed(
        ctx: Any, make_user: Any, fixture_site: Any, redis_conn: Any, tmp_path: Path) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    _on_the_site(ctx, fixture_site)
    fixture_site.fail("/api/v1/video", 500)
    fixture_site.fail("/hls/abc123def456/", 503)  # AnsEmbed's CDN is down at first
    user = make_user("alice")
    download_id = _episode(user.id, [LPAYER, ANSEMBED])

    assert dispatch_pending() == 1
    run_worker(redis_conn)
    waiting = row(download_id)
    assert waiting.status == "pending" and waiting.attempts == 1
    assert "Embed4me (lpayer.embed4me.com): Embed4me (its video API): 127.0.0.1 answered " \
           "HTTP 500" in waiting.error
    assert "AnsEmbed (ansembed.net): HLS stream" in waiting.error and "503" in waiting.error
    assert fixture_site.hits("/api/v1/video") == 1

    fixture_site.clear_rules()
    fixture_site.fail("/api/v1/video", 500)  # the lpayer stays dead
    ctx.config["DOWNLOAD_RETRY_INTERVALS"] = (0,)
    assert dispatch_pending() == 1
    run_worker(redis_conn)
    done = row(download_id)
    assert done.status == "completed", done.error
    assert done.player == ANSEMBED and done.attempts == 2
    path = Path(done.path)
    assert path.name == "Frieren - S01E01.mp4"
    assert_same_video(path, "320x180", tmp_path)  # "auto": the best variant


def test_a_dead_ansembed_fails_over_to_lpayer_within_one_attempt(
        ctx: Any, make_user: Any, fixture_site: Any, redis_conn: Any, tmp_path: Path) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    _on_the_site(ctx, fixture_site)
    fixture_site.set_page("/embed-abc123def456.html",
                          "<html><body><h2>Sorry, this video is not available.</h2></body></html>")
    user = make_user("alice")
    download_id = _episode(user.id, [ANSEMBED, LPAYER])

    dispatch_pending()
    run_worker(redis_conn)
    done = row(download_id)
    assert done.status == "completed", done.error
    assert done.player == LPAYER and done.attempts == 1
    assert fixture_site.hits("/embed-abc123def456.html") == 1
    api = fixture_site.requests_for("/api/v1/video")
    assert len(api) == 1 and "id=ia5qn" in api[0].query
    assert api[0].headers.get("Origin") == fixture_site.url
    segments = [r for r in fixture_site.requests if r.path.startswith("/hls/e4m-ia5qn/")
                and r.path.endswith(".ts")]
    assert len(segments) == 3
    assert all(r.headers.get("Referer") == fixture_site.url + "/" for r in segments)
    assert_same_video(Path(done.path), "320x180", tmp_path)


def test_a_host_whose_page_changed_alerts_the_admins_once(
        ctx: Any, make_user: Any, fixture_site: Any, redis_conn: Any) -> None:
    """AnsEmbed serves a page without any player setup: the download falls over to the
    lpayer, the site watch marks AnsEmbed as changed and the admins hear it once."""
    from sqlalchemy import select

    from webapp.downloading.dispatch import dispatch_pending
    from webapp.extensions import db, get_redis
    from webapp.infra import site_watch
    from webapp.models import Notification

    _on_the_site(ctx, fixture_site)
    fixture_site.set_page("/embed-abc123def456.html",
                          "<html><body><div id='app'></div><script src='/v2.js'></script>"
                          "</body></html>")
    root = make_user("root")
    root.is_admin = True
    db.session.commit()
    user = make_user("alice")
    for key in ("first", "second"):
        _, item_id = seed_item(user.id, {1: [Player(u).to_dict() for u in (ANSEMBED, LPAYER)]},
                               key=key, source_title=key.title())
        download_id = add_download(user.id, item_id, 1)
        dispatch_pending()
        run_worker(redis_conn)
        assert row(download_id).status == "completed", row(download_id).error

    state = site_watch.snapshot(get_redis(), [("host", "ansembed", "AnsEmbed"),
                                              ("host", "embed4me", "Embed4me")])
    assert state[0].broken_since and "No video found on the AnsEmbed page" in \
        state[0].last_reason
    assert state[1].last_ok_at and not state[1].broken_since
    db.session.expire_all()
    alerts = list(db.session.scalars(select(Notification.message).where(
        Notification.user_id == root.id, Notification.kind == "source_error")))
    assert len(alerts) == 1 and "AnsEmbed (video host) changed its pages" in alerts[0]
