"""The statistics page (issue 17): SVG charts and figures of real checks and downloads,
the same numbers as GET /api/stats/history; the period as plain links that htmx swaps;
one user's data only; a bad period is a clear error."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

from tests.page_helpers import session_login
from tests.stats_helpers import seed_history

CELL_RE = r'<td data-label="{}">([^<]*)</td>'


def _text(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert match, f"no #{element_id} on the page"
    return html.unescape(match.group(1)).strip()


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def _weeks(days: list[dict]) -> list[tuple[int, int, int]]:
    """(downloads, bytes, failed) per Monday-to-Sunday week, newest first (the table's order)."""
    weeks: dict[date, list[int]] = {}
    for d in days:
        day = date.fromisoformat(d["date"])
        week = weeks.setdefault(day - timedelta(days=day.weekday()), [0, 0, 0])
        week[0] += d["downloads"]
        week[1] += d["bytes"]
        week[2] += d["failed"]
    return [tuple(weeks[k]) for k in sorted(weeks, reverse=True)]


def _column(page: str, label: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(CELL_RE.format(re.escape(label)), page)]


def test_the_page_draws_the_same_numbers_as_the_api(
        app: Any, client: Any, make_api: Any, fixture_site: Any, redis_conn: Any) -> None:
    api = make_api("alice")
    seed_history(app, fixture_site, redis_conn, api.user.id)
    data = api.get("/api/stats/history?days=7").get_json()
    session_login(client, api.user)
    resp = client.get("/stats?days=7")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)

    days = data["days"]
    downloads = sum(d["downloads"] for d in days)
    failed = sum(d["failed"] for d in days)
    assert (downloads, failed) == (3, 1)
    assert _text(page, "stat-downloads") == str(downloads)
    assert _text(page, "stat-bytes") == _kb(sum(d["bytes"] for d in days))
    assert _text(page, "stat-failed") == str(failed)
    assert "downloads failed (25%)" in page
    assert _text(page, "stat-latency") == "2 h 00 min"   # of 2 h, 2 h and 3 h
    assert _text(page, "stat-library") == _kb(data["library_bytes"])

    # The weekly table adds up the API's days.
    weeks = _weeks(days)
    assert _column(page, "Downloads") == [str(w[0]) for w in weeks]
    assert _column(page, "Size") == [_kb(w[1]) if w[1] else "0 B" for w in weeks]
    assert _column(page, "Failed") == [str(w[2]) for w in weeks]

    # Failure rates per provider and per host, episodes per anime.
    (checks,) = data["providers"].values()
    (host, counts), = data["hosts"].items()
    assert f"25% · {checks['failed']} of {checks['checks']} checks failed" in page
    total = counts["downloads"] + counts["failed"]
    assert f"{host}: 25% · {counts['failed']} of {total} downloads failed" in page
    assert "Alpha: 2 episodes" in page and "Beta: 1 episode<" in page

    # Seven SVG charts; the downloads bars carry their figures as tooltips.
    section = page.split('<section id="stats"', 1)[1].split("</section>", 1)[0]
    assert section.count("<svg ") == 7
    chart = section.split('id="chart-downloads"', 1)[1].split("</figure>", 1)[0]
    tips = re.findall(r"<title>[^<]*: (\d+) downloaded, (\d+) failed</title>", chart)
    assert [(int(d), int(f)) for d, f in tips] == [(w[0], w[2]) for w in reversed(weeks)]
    # Nothing inline for the CSP: no inline script, no style attribute.
    assert "<script" not in section and "style=" not in section


def test_the_period_links_and_htmx(logged: Any) -> None:
    page = logged.get("/stats").get_data(as_text=True)
    assert "The last 30 days" in page
    for n in (30, 90, 365):
        assert f'href="/stats?days={n}" hx-get="/stats?days={n}" hx-target="#stats"' in page
    assert re.search(r'days=30"[^>]*aria-current="page">30 days', page)
    resp = logged.get("/stats?days=365", headers={"HX-Request": "true"})
    fragment = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "HX-Request" in resp.headers["Vary"]
    assert fragment.lstrip().startswith('<section id="stats"') and "<html" not in fragment
    assert re.search(r'days=365"[^>]*aria-current="page">365 days', fragment)
    assert fragment.count('<td data-label="Week">') in (53, 54)   # weeks met by 365 days


def test_another_user_sees_none_of_it(app: Any, client: Any, make_api: Any,
                                      fixture_site: Any, redis_conn: Any) -> None:
    alice = make_api("alice")
    seed_history(app, fixture_site, redis_conn, alice.user.id)
    bob = make_api("bob")
    page = session_login(client, bob.user).get("/stats?days=7").get_data(as_text=True)
    assert _text(page, "stat-downloads") == "0"
    assert _text(page, "stat-library") == "0 B"
    assert _text(page, "stat-latency") == "—"
    assert "Alpha" not in page and "127.0.0.1" not in page
    assert "No check in this period." in page
    assert "No episode reached the library in this period." in page


def test_a_bad_period_is_a_clear_error(logged: Any) -> None:
    for days in ("0", "366", "x", "-1"):
        resp = logged.get(f"/stats?days={days}")
        assert resp.status_code == 422, days
        assert "days must be a whole number from 1 to 365" in resp.get_data(as_text=True)


def test_the_page_needs_a_login(client: Any, alice: Any) -> None:
    resp = client.get("/stats?days=90")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
