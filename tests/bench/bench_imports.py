"""Benchmark: list imports matched against the fixture site's search (issue 19).

A MyAnimeList export of 50 anime (39 to watch) and an AniList stand-in list of 50 (42 to
watch) are matched by the import's matcher (`webapp.watchlist.imports.searching.Matcher`,
the real search of every provider over HTTP) against the fixture site with the lists'
anime added; the ground truth is tests/fixtures/lists/expected.json. Prints, per list, the
match rate (entries matched to the right URL / entries that have one), the wrong matches
(a URL other than the right one, or a match for an entry that has none), the time and the
requests the sites received. Run with `make bench` or `python -m tests.bench imports`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from tests.bench.support import BenchEnv
from tests.fixture_site import FixtureSite, site_config
from tests.fixtures.lists.standin import (
    ANILIST_USER,
    MAL_EXPORT,
    AniListStandIn,
    add_catalogue,
    expected,
)


def score(entries: list[Any], proposals: list[Any], truth: dict[str, str | None]) -> dict:
    """Right, wrong, missed and correctly unmatched entries against the ground truth."""
    counts = {"right": 0, "wrong": 0, "missed": 0, "unmatched_ok": 0, "should_match": 0}
    for entry, proposal in zip(entries, proposals, strict=True):
        want = truth[entry.title]
        got = (proposal.match or {}).get("url")
        counts["should_match"] += want is not None
        if got is None:
            counts["missed" if want else "unmatched_ok"] += 1
        elif got == want:
            counts["right"] += 1
        else:
            counts["wrong"] += 1
            print(f"    wrong: {entry.title!r} -> {got} (want {want})")
    return counts


def run(name: str, entries: list[Any], truth: dict, site: FixtureSite, redis: Any) -> None:
    """Match one list and print its figures."""
    from webapp.sites.http.client import HttpClient
    from webapp.sites.providers.registry import build_registry
    from webapp.watchlist.imports.searching import Matcher

    client = HttpClient(redis, allow_private="127.0.0.0/8,::1", rate_per_host=0,
                        timeout=(2.0, 5.0), retries=0)
    site.reset_counts()
    started = time.monotonic()
    matcher = Matcher(build_registry(site_config(site)), client, redis, deadline=120)
    proposals = matcher.match_all(entries)
    seconds = time.monotonic() - started
    c = score(entries, proposals, truth)
    rate = c["right"] / c["should_match"] if c["should_match"] else 0.0
    print(f"  {name}: {len(entries)} entries to watch, {c['should_match']} on the site, "
          f"{len(entries) - c['should_match']} not")
    print(f"    match rate {c['right']}/{c['should_match']} = {rate:.0%}; wrong matches "
          f"{c['wrong']}; missed {c['missed']}; left unmatched rightly {c['unmatched_ok']}")
    print(f"    {matcher.queries} searches, {len(site.requests)} requests to the sites, "
          f"{seconds:.1f} s")


def main() -> None:
    """Both lists against one fixture site."""
    from webapp.watchlist.imports.anilist import fetch_anilist_list
    from webapp.watchlist.imports.mal import parse_mal_export

    with tempfile.TemporaryDirectory() as tmp, BenchEnv("sqlite", Path(tmp)) as env:
        site = FixtureSite().start()
        anilist = HTTPServer(host="127.0.0.1")
        anilist.expect_request("/", method="POST").respond_with_handler(AniListStandIn())
        anilist.start()
        try:
            add_catalogue(site)
            redis = env.redis()
            run("MyAnimeList", parse_mal_export(MAL_EXPORT.read_bytes()),
                expected("mal", site.url), site, redis)
            from webapp.sites.http.client import HttpClient
            entries = fetch_anilist_list(HttpClient(redis, allow_private="127.0.0.0/8",
                                                    rate_per_host=0),
                                         anilist.url_for("/"), ANILIST_USER)
            run("AniList", entries, expected("anilist", site.url), site, redis)
        finally:
            anilist.stop()
            site.stop()


if __name__ == "__main__":
    main()
