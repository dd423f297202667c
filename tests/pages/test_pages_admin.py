"""Admin pages: system health with queues and failed jobs, provider mirrors; admins only."""

from __future__ import annotations

import pytest
from rq import Queue, SimpleWorker

from tests.page_helpers import post, quick_user, session_login


@pytest.fixture
def admin(client, app):
    root = quick_user(app, "root", admin=True)
    return session_login(client, root)


def test_non_admins_get_403(app, client):
    quick_user(app, "root", admin=True)
    session_login(client, quick_user(app, "alice"))
    for path in ("/admin/health", "/admin/mirrors", "/admin/users"):
        assert client.get(path).status_code == 403
    assert post(client, "/admin/mirrors", {"animesama": "x.example"}).status_code == 403


def test_health_shows_processes_queues_and_failed_jobs(admin, redis_conn):
    queue = Queue("default", connection=redis_conn)
    job = queue.enqueue("builtins.int", "not a number", description="a job that fails")
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    html = admin.get("/admin/health").get_data(as_text=True)
    assert "No check worker is running" in html and "The scheduler is not running" in html
    assert job.id in html and "ValueError" in html
    resp = post(admin, f"/admin/jobs/{job.id}/retry", {"queue": "default"}, htmx=True)
    assert resp.status_code == 200 and f"Job {job.id} is queued again." in resp.get_data(
        as_text=True)
    assert queue.count == 1
    assert post(admin, "/admin/jobs/nope/retry", {"queue": "default"}).status_code == 404


def test_mirrors_are_saved_and_accepted_for_urls(admin, app):
    resp = post(admin, "/admin/mirrors", {"animesama": "https://anime-sama.example/\nbad domain!"},
                htmx=True)
    assert resp.status_code == 422
    assert "Not a domain name: bad, domain!" in resp.get_data(as_text=True)
    resp = post(admin, "/admin/mirrors", {"animesama": "https://Anime-Sama.example/\nas.example"},
                htmx=True)
    assert resp.status_code == 200 and "Mirrors saved." in resp.get_data(as_text=True)
    from webapp.infra.site_access import get_registry
    from webapp.infra.site_settings import get_mirrors

    with app.test_request_context():
        assert get_mirrors() == {"animesama": ["anime-sama.example", "as.example"]}
        assert get_registry().for_url("https://as.example/catalogue/x/saison1/vostfr/").id == \
            "animesama"


def test_health_lists_each_site_with_its_last_parse_and_failure(admin, redis_conn):
    from webapp.infra import site_watch

    site_watch.record_success(redis_conn, "provider", "nekosama")
    site_watch.record_failure(redis_conn, "provider", "animesama",
                              "anime-sama's anime page has no title any more.",
                              layout_changed=True)
    site_watch.record_failure(redis_conn, "host", "sibnet", "Sibnet: HTTP 503",
                              layout_changed=False)
    html = admin.get("/admin/health").get_data(as_text=True)
    table = html[html.index('id="site-watch"'):]

    def row(site: str) -> str:
        start = table.index(f'data-site="{site}"')
        return table[start:table.index("</tr>", start)]

    assert "layout changed" in row("provider:animesama")
    assert "anime-sama&#39;s anime page has no title any more." in row("provider:animesama")
    assert "parsing" in row("provider:nekosama")
    assert "failing" in row("host:sibnet") and "HTTP 503" in row("host:sibnet")
    assert "not used yet" in row("provider:rss")


def test_admin_turns_a_sites_fast_detection_off_and_on(app, client):
    from tests.page_helpers import post, quick_user, session_login
    from webapp.infra.site_settings import site_feeds_off

    root = quick_user(app, "root", admin=True)
    alice = quick_user(app, "alice")
    session_login(client, root)
    page = client.get("/admin/mirrors").get_data(as_text=True)
    assert 'name="animesama" checked' in page and "Fast detection" in page
    resp = post(client, "/admin/site-feeds", {}, htmx=True)
    assert resp.status_code == 200 and 'name="animesama" checked' not in \
        resp.get_data(as_text=True)
    with app.app_context():
        assert site_feeds_off() == {"animesama"}
    post(client, "/admin/site-feeds", {"animesama": "on"})
    with app.app_context():
        assert site_feeds_off() == set()
    session_login(client, alice)
    assert post(client, "/admin/site-feeds", {}).status_code == 403
