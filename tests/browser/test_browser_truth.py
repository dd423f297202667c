"""Pages that tell the truth (issue 15) in Chromium: tokens of any scope from Settings, one
check state per item, Add by URL saying what went wrong, the small things, and no page
wider than a 390 px phone, as an admin and as a plain user (with screenshots)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, log_in, mark_page, not_reloaded, screenshot
from tests.page_helpers import add_items, use_fixture_site

pytestmark = pytest.mark.browser
LONG = "An extraordinarily long anime title that goes on and on without a break " * 2
ERROR = "The directory listing answered HTTP 503 (the site is down); it is tried again later."
FRIEREN = "https://anime-sama.si/catalogue/frieren/saison1/vostfr/"


def _seed(app: Any, user: Any) -> dict[str, str]:
    """A failing item never read, a checked one with untitled episodes, a long title,
    a token, a notification: what makes pages wide or contradictory."""
    from webapp.auth.tokens import create_token
    from webapp.clock import utcnow
    from webapp.extensions import db
    from webapp.models import SourceEpisode, WatchlistItem
    from webapp.notifications.inbox import notify

    (failing,) = add_items(app, user, 1, anime_title="Never read",
                           anime_url="https://files.example.org/anime/never/")
    (checked,) = add_items(app, user, 1, anime_title="Frieren", anime_url=FRIEREN,
                           provider_id="animesama")
    add_items(app, user, 1, anime_title=LONG, anime_url="https://files.example.org/anime/l/")
    with app.app_context():
        now = utcnow()
        item = db.session.get(WatchlistItem, failing)
        item.last_error, item.last_attempt_at = ERROR, now - timedelta(minutes=3)
        item.next_check_at = now + timedelta(minutes=12)
        item = db.session.get(WatchlistItem, checked)
        item.last_checked_at = item.last_success_at = item.last_attempt_at = now
        item.next_check_at = now + timedelta(hours=6)
        db.session.add(SourceEpisode(source_id=item.source_id, number=1, title=None,
                                     players=[]))
        item.last_episode_available = 1
        db.session.commit()
        create_token(db.session.merge(user), "a-token-with-a-rather-long-name",
                     "read,write,feeds")
        notify(user.id, "download_failed", "Frieren episode 1 could not be downloaded: "
               + "x" * 120)
        db.session.commit()
    return {"failing": failing, "checked": checked}


def _fits(page: Any) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _every_page(page: Any, live: str, ids: dict[str, str]) -> list[str]:
    """The nav's pages, the admin tabs, notifications and both detail pages."""
    page.goto(live + "/watchlist")
    paths = page.eval_on_selector_all(".nav a", "links => links.map(a => a.pathname)")
    if "/admin/users" in paths:
        page.goto(live + "/admin/users")
        paths += page.eval_on_selector_all(".tabs a", "links => links.map(a => a.pathname)")
    paths += ["/notifications", *(f"/watchlist/{i}" for i in ids.values())]
    return list(dict.fromkeys(paths))


@pytest.mark.parametrize("who", ["root", "alice"])
def test_no_page_scrolls_sideways_at_390(page: Any, live: str, app: Any, users: dict,
                                         who: str) -> None:
    ids = _seed(app, users[who])
    log_in(page, live, who)
    wide = {}
    for path in _every_page(page, live, ids):
        page.set_viewport_size(DESKTOP)
        page.goto(live + path)
        detail = [k for k, v in ids.items() if path == f"/watchlist/{v}"]
        screenshot(page, f"phone-{who}-" + (f"detail-{detail[0]}" if detail
                                             else path.strip("/").replace("/", "-")))
        page.set_viewport_size(PHONE)
        scroll, inner = _fits(page)
        if scroll > inner:
            wide[path] = scroll
    assert wide == {}, f"wider than 390 px: {wide}"


def test_tokens_with_any_scopes_from_settings(page: Any, live: str, users: dict) -> None:
    log_in(page, live)
    page.goto(live + "/settings")
    mark_page(page)
    tokens = page.locator("#tokens")
    assert tokens.locator("input[type=checkbox][required]").count() == 0
    scopes = ("read", "write", "feeds")
    combos = [c for n in (1, 2, 3) for c in itertools.combinations(scopes, n)]
    for n, combo in enumerate(combos):
        tokens.locator("input[name=name]").fill(f"t{n}")
        for scope in scopes:
            tokens.locator(f"input[name=scopes][value={scope}]").set_checked(scope in combo)
        tokens.get_by_role("button", name="Create token").click()
        expect(tokens.locator("#new-token")).to_have_value(re.compile("^wl_"))
        row = tokens.locator("tr", has=page.get_by_text(f"t{n}", exact=True))
        expect(row.locator(".tag")).to_have_text(sorted(combo))
    # None ticked: the server says what to do, and no token is made.
    tokens.locator("input[name=name]").fill("none")
    for scope in scopes:
        tokens.locator(f"input[name=scopes][value={scope}]").set_checked(False)
    tokens.get_by_role("button", name="Create token").click()
    expect(tokens.get_by_text("Tick at least one scope")).to_be_visible()
    expect(tokens.locator("td", has_text=re.compile("^none$"))).to_have_count(0)
    assert not_reloaded(page)


def test_a_failed_check_reads_the_same_on_the_row_and_the_detail(page: Any, live: str,
                                                                 app: Any,
                                                                 users: dict) -> None:
    ids = _seed(app, users["alice"])
    log_in(page, live)
    row = page.locator(".item", has_text="Never read")
    expect(row.locator(".check-state")).to_contain_text("Last check failed 3 min ago")
    expect(row.locator(".check-state")).to_contain_text("Next try in 12 min")
    assert row.inner_text().count(ERROR) == 1
    for text in ("Not checked yet", "never checked", "Checked:"):
        assert text not in row.inner_text()
    page.goto(f"{live}/watchlist/{ids['failing']}")
    body = page.locator("main").inner_text()
    assert body.count(ERROR) == 1
    assert "Not checked yet" not in body and "not run yet" not in body
    expect(page.locator(".facts")).to_contain_text("3 min ago: failed")
    expect(page.locator(".facts")).to_contain_text("Last successful check")
    expect(page.get_by_text("the site could not be read")).to_be_visible()
    # The checked item: one plain sentence, the provider's name, the quality in words.
    page.goto(live + "/watchlist")
    row = page.locator(".item", has_text="Frieren")
    expect(row.locator(".check-state")).to_have_text(re.compile(
        r"^Checked just now\. Next check in 6 h\.$"))
    expect(row.locator(".meta")).to_contain_text("Anime-Sama")
    assert "animesama" not in row.locator(".meta").inner_text()
    page.goto(f"{live}/watchlist/{ids['checked']}")
    expect(page.locator(".hero .meta")).to_contain_text("quality: best available")
    expect(page.locator("#quality option:checked")).to_have_text("best available")
    # A directory lists no titles: no empty Title column.
    expect(page.locator("#episodes th")).to_have_text(["#", "Listed", "State"])
    expect(page.locator("#ep-1 td")).to_have_count(3)


def test_add_by_url_says_what_went_wrong(page: Any, live: str, app: Any, users: dict,
                                         fixture_site: Any) -> None:
    use_fixture_site(app, fixture_site)
    log_in(page, live)
    page.goto(live + "/add")
    mark_page(page)
    form = page.locator("#paste-form")
    form.locator("#paste-url").fill("https://files.example.org/anime/flat/")
    form.get_by_role("button", name="Add to watchlist").click()
    expect(page.locator("#paste-result")).to_contain_text("No site recognises this URL")
    expect(page.locator("#paste-result")).to_contain_text("HTTP directory")
    expect(form.locator("#paste-url")).to_have_value("https://files.example.org/anime/flat/")
    # A site that does not answer: the page says it is reading, then why it failed.
    fixture_site.slow("/catalogue/", 3)
    form.locator("#paste-url").fill(fixture_site.url + "/catalogue/frieren/saison1/vostfr/")
    form.locator("#paste-provider").select_option("animesama")
    form.get_by_role("button", name="Add to watchlist").click()
    expect(page.locator("#paste-busy")).to_have_css("opacity", "1")
    expect(page.locator("#paste-result")).to_contain_text("The site could not be reached",
                                                          timeout=15_000)
    assert not_reloaded(page)


def test_add_and_admin_forms_line_up(page: Any, live: str, users: dict) -> None:
    log_in(page, live, "root")
    page.goto(live + "/add")
    tops = page.eval_on_selector_all(
        "#paste-provider, #paste-title, #paste-lang",
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    cut = page.evaluate("""() => {
        const s = document.getElementById('paste-provider');
        const c = document.createElement('canvas').getContext('2d');
        const st = getComputedStyle(s);
        c.font = st.font;
        const text = c.measureText(s.options[s.selectedIndex].text).width;
        const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 16;
        return [text, room];
    }""")
    assert cut[0] <= cut[1], cut
    page.goto(live + "/admin/users")
    tops = page.eval_on_selector_all(
        "#admin-users form.grid-form input:not([type=hidden]):not([type=checkbox])",
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    own = page.locator(f"#user-{users['root'].id}")
    other = page.locator(f"#user-{users['alice'].id}")
    expect(own.get_by_role("button", name="Disable")).to_have_count(0)
    expect(own.get_by_role("button", name="Remove admin")).to_have_count(0)
    expect(own).to_contain_text("your own account")
    expect(other.get_by_role("button", name="Disable")).to_have_count(1)
    screenshot(page, "admin-users")


def test_the_watchlist_sorts(page: Any, live: str, app: Any, users: dict) -> None:
    for n, title in enumerate(["banana", "Cherry", "apple"]):
        add_items(app, users["alice"], 1, anime_title=title,
                  anime_url=f"https://files.example.org/anime/s{n}/")
    log_in(page, live)
    mark_page(page)
    titles = page.locator(".item-title")
    expect(titles).to_have_text(["apple", "Cherry", "banana"])
    page.select_option("#sort", "title")
    expect(titles).to_have_text(["apple", "banana", "Cherry"])
    assert "sort=title" in page.url and not_reloaded(page)
    page.select_option("#sort", "added")
    expect(titles).to_have_text(["apple", "Cherry", "banana"])
    screenshot(page, "watchlist-sorted")
