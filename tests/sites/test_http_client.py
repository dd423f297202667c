"""The HTTP client against the local fixture site, on a real Redis: every failure kind."""

from __future__ import annotations

import time

import pytest

from webapp.sites.http.client import HttpClient
from webapp.sites.http.errors import (
    ConnectionFailed,
    FetchTimeout,
    HttpStatusError,
    RedirectRejected,
    ResponseTooLarge,
    UrlRejected,
)
from webapp.sites.http.guard import guard_url
from webapp.sites.types import Conditional


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x.mkv",
    "data:text/html,hi", "//no-scheme.example/x", "http://", "http://[::1",
])
def test_non_http_urls_are_refused_before_any_request(url):
    with pytest.raises(UrlRejected) as exc:
        guard_url(url)
    assert "http" in str(exc.value) or "URL" in str(exc.value)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8080/", "http://10.1.2.3/", "http://192.168.1.10/",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://0.0.0.0/",
    "http://224.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/",
])
def test_private_loopback_link_local_and_multicast_addresses_are_refused(url):
    with pytest.raises(UrlRejected, match="ALLOW_PRIVATE_HOSTS"):
        guard_url(url)


def test_allow_private_hosts_accepts_listed_ranges_and_names_only():
    guard_url("http://192.168.1.20/x", allow_private="192.168.1.0/24")
    guard_url("http://localhost:1/x", allow_private="localhost")
    with pytest.raises(UrlRejected):
        guard_url("http://192.168.2.20/x", allow_private="192.168.1.0/24")


def test_allowed_hosts_limit_pages_to_the_providers_domains():
    guard_url("http://127.0.0.1/x", allow_private="127.0.0.1", allowed_hosts=["127.0.0.1"])
    with pytest.raises(UrlRejected, match="not one of this source's hosts"):
        guard_url("http://127.0.0.1/x", allow_private="127.0.0.1", allowed_hosts=["example.org"])


def test_private_site_is_refused_without_allow_private_hosts(fixture_site, redis_conn):
    client = HttpClient(redis_conn, rate_per_host=0)  # ALLOW_PRIVATE_HOSTS unset
    with pytest.raises(UrlRejected, match="private or local address"):
        client.fetch_page(fixture_site.url_for("/"))
    with pytest.raises(UrlRejected):
        client.open_stream(fixture_site.url_for("/media/x.mkv"))
    assert fixture_site.hits("/") == 0


def test_page_is_read_and_decoded(fixture_site, site_client):
    page = site_client.fetch_page(fixture_site.url_for("/catalogue/frieren/"))
    assert page.status == 200 and not page.not_modified
    assert '>Frieren</h1>' in page.text and "Après la défaite" in page.text
    assert page.etag and page.url == fixture_site.url_for("/catalogue/frieren/")
    assert fixture_site.requests_for("/catalogue/frieren/")[0].headers["User-Agent"].startswith(
        "Mozilla/5.0")


def test_iso_8859_1_and_invalid_utf8_pages_decode_without_crashing(fixture_site, site_client):
    page = site_client.fetch_page(fixture_site.url_for("/file-0-1/1234/Nanoha-A-s-vostfr"))
    assert "Télécharger" in page.text  # charset only in <meta>, bytes are ISO-8859-1
    fixture_site.set_page("/broken-utf8", b"<p>caf\xe9 \xff\xfe ok</p>",
                          content_type="text/html; charset=utf-8")
    text = site_client.fetch_page(fixture_site.url_for("/broken-utf8")).text
    assert text.startswith("<p>caf") and text.endswith("ok</p>") and "\ufffd" in text
    fixture_site.set_page("/undeclared", "<p>déjà</p>".encode("latin-1"), content_type="text/html")
    assert site_client.fetch_page(fixture_site.url_for("/undeclared")).text == "<p>déjà</p>"


def test_conditional_get_gives_not_modified_and_keeps_validators(fixture_site, site_client):
    url = fixture_site.url_for("/dir/nginx/frieren/")
    first = site_client.fetch_page(url)
    again = site_client.fetch_page(url, conditional=Conditional(first.etag, first.last_modified))
    assert again.not_modified and again.status == 304 and again.content == b""
    assert again.etag == first.etag
    sent = fixture_site.requests_for("/dir/nginx/frieren/")[-1].headers
    assert sent["If-None-Match"] == first.etag and sent["If-Modified-Since"]
    fixture_site.publish_episode("/dir/nginx/frieren/")
    changed = site_client.fetch_page(url, conditional=Conditional(first.etag, first.last_modified))
    assert changed.status == 200 and changed.etag != first.etag


def test_500_is_retried_then_reported(fixture_site, site_client):
    fixture_site.fail("/catalogue/", status=500)
    with pytest.raises(HttpStatusError) as exc:
        site_client.fetch_page(fixture_site.url_for("/catalogue/"))
    assert exc.value.status == 500 and exc.value.retryable
    assert "500 (Internal Server Error)" in str(exc.value) and "tried 2 times" in str(exc.value)
    assert fixture_site.hits("/catalogue/") == 2


def test_a_passing_failure_is_absorbed_by_the_retry(fixture_site, site_client):
    fixture_site.fail("/catalogue/", status=503, times=1)
    assert site_client.fetch_page(fixture_site.url_for("/catalogue/")).status == 200
    assert fixture_site.hits("/catalogue/") == 2


def test_404_is_not_retried(fixture_site, site_client):
    with pytest.raises(HttpStatusError) as exc:
        site_client.fetch_page(fixture_site.url_for("/nothing-here"))
    assert exc.value.status == 404 and not exc.value.retryable
    assert fixture_site.hits("/nothing-here") == 1


def test_429_retry_after_is_honoured(fixture_site, site_client):
    fixture_site.fail("/catalogue/", status=429, times=1, retry_after=1)
    started = time.monotonic()
    page = site_client.fetch_page(fixture_site.url_for("/catalogue/"))
    assert page.status == 200
    calls = fixture_site.requests_for("/catalogue/")
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 0.95
    assert time.monotonic() - started < 3


def test_retry_after_longer_than_the_cap_fails_at_once(fixture_site, site_client):
    fixture_site.fail("/catalogue/", status=429, retry_after=3600)
    with pytest.raises(HttpStatusError) as exc:
        site_client.fetch_page(fixture_site.url_for("/catalogue/"))
    assert exc.value.retry_after == 3600
    assert fixture_site.hits("/catalogue/") == 1


def test_read_timeout_is_retried_then_reported(fixture_site, site_client):
    fixture_site.slow("/catalogue/", seconds=1.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="did not answer within 0.5 seconds"):
        site_client.fetch_page(fixture_site.url_for("/catalogue/"))
    assert fixture_site.hits("/catalogue/") == 2
    assert time.monotonic() - started < 3


def test_a_host_that_never_answers_costs_the_deadline_not_every_retry(fixture_site):
    """Four tries of a 1.5 s read timeout would take 6 s or more; within a 2.8 s deadline
    a second try fits only with its read timeout cut to what is left."""
    from webapp.sites.http.client import HttpClient

    client = HttpClient(None, allow_private="127.0.0.0/8", rate_per_host=0,
                        timeout=(0.5, 1.5), retries=3, backoff=0.01, deadline=2.8)
    fixture_site.slow("/catalogue/", seconds=10)
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        client.fetch_page(fixture_site.url_for("/catalogue/"))
    assert time.monotonic() - started < 3.3
    assert fixture_site.hits("/catalogue/") == 2


def test_connection_refused_is_a_connection_failure(site_client):
    from tests.helpers import free_port

    with pytest.raises(ConnectionFailed, match="connection refused"):
        site_client.fetch_page(f"http://127.0.0.1:{free_port()}/")


def test_a_server_that_hangs_up_without_answering_is_said_so(site_client):
    """A listener that accepts, reads the request and closes: not "could not connect"."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def hang_up() -> None:
        for _ in range(2):  # the first try and its retry
            conn, _addr = listener.accept()
            conn.recv(4096)
            conn.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        with pytest.raises(ConnectionFailed, match="closed it without answering"):
            site_client.fetch_page(f"http://127.0.0.1:{port}/")
    finally:
        listener.close()


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_50_mb_page_is_refused_without_reading_it(fixture_site, site_client, declare_length):
    fixture_site.huge_page("/huge", 50 * 1024 * 1024, declare_length=declare_length)
    started = time.monotonic()
    with pytest.raises(ResponseTooLarge, match="larger than 5 MB"):
        site_client.fetch_page(fixture_site.url_for("/huge"))
    assert time.monotonic() - started < 5


def test_redirects_are_followed_and_each_hop_is_guarded(fixture_site, site_client):
    fixture_site.set_page("/old", "", status=302, headers={"Location": "/catalogue/frieren/"})
    page = site_client.fetch_page(fixture_site.url_for("/old"))
    assert page.url == fixture_site.url_for("/catalogue/frieren/")
    assert page.history == [fixture_site.url_for("/old")]
    fixture_site.set_page("/to-metadata", "", status=302,
                          headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    with pytest.raises(UrlRejected, match="169.254.169.254"):
        site_client.fetch_page(fixture_site.url_for("/to-metadata"))
    fixture_site.set_page("/to-file", "", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(UrlRejected, match="file:"):
        site_client.open_stream(fixture_site.url_for("/to-file"))


def test_redirect_off_the_allowed_hosts_is_reported_with_its_target(fixture_site, site_client):
    new_origin = fixture_site.move()
    with pytest.raises(RedirectRejected) as exc:
        site_client.fetch_page(fixture_site.url_for("/catalogue/"), allowed_hosts=["127.0.0.1"])
    assert exc.value.location == new_origin + "/catalogue/"
    page = site_client.fetch_page(fixture_site.url_for("/catalogue/"),
                                  allowed_hosts=["127.0.0.1", "localhost"])
    assert page.url == new_origin + "/catalogue/"


def test_endless_redirects_stop(fixture_site, site_client):
    fixture_site.set_page("/loop", "", status=302, headers={"Location": "/loop"})
    with pytest.raises(Exception, match="redirected more than 10 times"):
        site_client.fetch_page(fixture_site.url_for("/loop"))
    assert fixture_site.hits("/loop") == 11


def test_open_stream_serves_ranges_and_reports_errors(fixture_site, site_client):
    url = fixture_site.url_for("/media/Show%20-%2001.mkv")
    with site_client.open_stream(url, headers={"Range": "bytes=10-19"}) as resp:
        assert resp.status_code == 206 and len(resp.content) == 10
    with pytest.raises(HttpStatusError) as exc:
        site_client.open_stream(fixture_site.url_for("/dir/nginx/frieren/missing.mkv"))
    assert exc.value.status == 404


def test_per_host_rate_limit_spreads_requests_across_clients(fixture_site, redis_conn):
    """Two clients (as two worker processes) share the pacing through Redis: no burst."""
    import threading

    clients = [HttpClient(redis_conn, allow_private="127.0.0.0/8", rate_per_host=10)
               for _ in range(2)]
    threads = [threading.Thread(target=clients[i % 2].fetch_page,
                                args=(fixture_site.url_for("/dir/python/show/"),))
               for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(r.at for r in fixture_site.requests_for("/dir/python/show/"))
    assert len(times) == 6
    # 10/s: slots 0.1 s apart. Arrival times carry the threads' scheduling jitter on a
    # busy machine, so the test asks for what a burst would break: the six spread over
    # half a second, and never three inside one interval.
    assert times[-1] - times[0] >= 0.45, times
    assert all(c - a >= 0.1 for a, c in zip(times, times[2:], strict=False)), times


def test_rate_limit_without_redis_paces_in_process(fixture_site):
    client = HttpClient(None, allow_private="127.0.0.0/8", rate_per_host=20)
    for _ in range(4):
        client.fetch_page(fixture_site.url_for("/dir/python/show/"))
    times = [r.at for r in fixture_site.requests_for("/dir/python/show/")]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.035  # 0.05 apart


def test_a_429_keeps_every_client_off_the_host_for_its_retry_after(fixture_site, redis_conn):
    first = HttpClient(redis_conn, allow_private="127.0.0.0/8", rate_per_host=100, retries=0)
    other = HttpClient(redis_conn, allow_private="127.0.0.0/8", rate_per_host=100)
    fixture_site.fail("/catalogue/", status=429, times=1, retry_after=1)
    with pytest.raises(HttpStatusError):
        first.fetch_page(fixture_site.url_for("/catalogue/"))
    started = time.monotonic()
    other.fetch_page(fixture_site.url_for("/dir/python/show/"))
    assert time.monotonic() - started >= 0.9


def test_from_config_reads_the_spec_names():
    client = HttpClient.from_config({"ALLOW_PRIVATE_HOSTS": "10.0.0.0/8,nas.lan",
                                     "HOST_RATE_LIMIT_PER_SECOND": 4})
    assert client.limiter.interval == 0.25
    guard_url("http://10.2.3.4/", allow_private=client.policy)
    assert "nas.lan" in client.policy.hosts


def test_redis_down_falls_back_to_in_process_pacing(fixture_site):
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from tests.helpers import free_port

    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.2, socket_timeout=0.2,
                       retry=Retry(NoBackoff(), 0))
    client = HttpClient(dead, allow_private="127.0.0.0/8", rate_per_host=20)
    for _ in range(3):
        assert client.fetch_page(fixture_site.url_for("/dir/python/show/")).status == 200
    times = [r.at for r in fixture_site.requests_for("/dir/python/show/")]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.035
