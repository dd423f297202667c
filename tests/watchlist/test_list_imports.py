"""List imports (webapp.watchlist.imports): reading MAL exports and AniList answers, and
matching their entries against the fixture site's real search."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.fixtures.lists.standin import (
    ANILIST_USER,
    MAL_EXPORT,
    add_catalogue,
    anilist_users,
    expected,
    serve_anilist,
)
from webapp.errors import Invalid, ServiceUnavailable
from webapp.watchlist.imports.anilist import fetch_anilist_list
from webapp.watchlist.imports.mal import parse_mal_export
from webapp.watchlist.imports.matching import choose_season, queries_for, season_of, similarity
from webapp.watchlist.imports.searching import Matcher

# --- MyAnimeList export -------------------------------------------------------------------


def test_mal_export_keeps_watching_and_plan_to_watch_only():
    entries = parse_mal_export(MAL_EXPORT.read_bytes())
    assert len(entries) == 39  # 50 anime, 11 completed, dropped or on hold
    by_title = {e.title: e for e in entries}
    frieren = by_title["Sousou no Frieren"]
    assert (frieren.status, frieren.progress, frieren.kind) == ("watching", 10, "tv")
    assert by_title["Kaijuu 8-gou"].status == "watching"          # numeric code 1
    assert by_title["Ore dake Level Up na Ken"].status == "plan_to_watch"  # code 6
    assert by_title["Dragon Ball Super: Broly"].kind == "movie"
    assert "Chainsaw Man" not in by_title and "Steins;Gate" not in by_title


def test_a_gzipped_export_reads_the_same():
    raw = MAL_EXPORT.read_bytes()
    assert parse_mal_export(gzip.compress(raw)) == parse_mal_export(raw)


@pytest.mark.parametrize("body, says", [
    (b"", "empty"),
    (b"not xml at all", "well-formed"),
    (b"<myanimelist><anime>", "well-formed"),
    (b"<watchlist/>", "<myanimelist>"),
    (b"<myanimelist><myinfo><user_export_type>2</user_export_type></myinfo></myanimelist>",
     "manga"),
    (b"\x1f\x8b\x08\x00garbage", "gzip"),
    (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">]>'
     b"<myanimelist><anime><series_title>&a;</series_title></anime></myanimelist>", "DTD"),
])
def test_what_is_not_a_mal_export_is_refused(body, says):
    with pytest.raises(Invalid) as caught:
        parse_mal_export(body)
    assert says in caught.value.message and caught.value.details[0]["field"] == "body"


def test_external_entities_are_never_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    body = (f'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file://{secret}">]>'
            "<myanimelist><anime><series_title>&x;</series_title>"
            "<my_status>Watching</my_status></anime></myanimelist>").encode()
    with pytest.raises(Invalid):
        parse_mal_export(body)


# --- AniList ------------------------------------------------------------------------------


def test_anilist_list_is_read_once_per_anime(httpserver, site_client):
    standin = serve_anilist(httpserver)
    entries = fetch_anilist_list(site_client, httpserver.url_for("/"), ANILIST_USER)
    assert len(entries) == 42  # the custom list's copy of Frieren is not a second entry
    frieren = entries[0]
    assert frieren.titles == ("Sousou no Frieren", "Frieren: Beyond Journey's End",
                              "葬送のフリーレン", "Frieren")
    assert (frieren.status, frieren.progress) == ("watching", 10)
    assert {e.status for e in entries} == {"watching", "plan_to_watch"}
    sent = standin.queries[0]
    assert sent["variables"] == {"userName": ANILIST_USER}
    assert "MediaListCollection(userName: $userName, type: ANIME)" in sent["query"]


def test_unknown_anilist_user_is_a_validation_error(httpserver, site_client):
    serve_anilist(httpserver)
    with pytest.raises(Invalid) as caught:
        fetch_anilist_list(site_client, httpserver.url_for("/"), "nobody")
    assert caught.value.details[0]["field"] == "user"
    assert "no user named 'nobody'" in caught.value.message


def test_anilist_down_or_garbled_is_service_unavailable(httpserver, site_client):
    httpserver.expect_request("/", method="POST").respond_with_data("oops", status=502)
    with pytest.raises(ServiceUnavailable, match="502"):
        fetch_anilist_list(site_client, httpserver.url_for("/"), ANILIST_USER)
    httpserver.clear()
    httpserver.expect_request("/", method="POST").respond_with_data("<html>", status=200)
    with pytest.raises(ServiceUnavailable, match="not its API's JSON"):
        fetch_anilist_list(site_client, httpserver.url_for("/"), ANILIST_USER)
    httpserver.clear()
    with pytest.raises(ServiceUnavailable, match="could not be reached"):
        fetch_anilist_list(site_client, "http://127.0.0.1:9/", ANILIST_USER)


# --- scoring ------------------------------------------------------------------------------


def test_similarity_reads_seasons_numbers_and_accents():
    assert similarity(["Vinland Saga Season 2"], ["Vinland Saga"]) >= 0.95
    assert similarity(["Naruto: Shippuuden"], ["Naruto Shippuden"]) >= 0.9
    assert similarity(["Le Chateau ambulant"], ["Le Château ambulant"]) == 1.0
    assert similarity(["Naruto"], ["Naruto Shippuden"]) < 0.75
    assert similarity(["Hunter x Hunter"], ["Hunter x Hunter (2011)"]) < 0.75
    assert season_of(["Jujutsu Kaisen 2nd Season"]) == 2 and season_of(["Frieren"]) is None
    assert queries_for(["Dragon Ball Super: Broly", "ドラゴンボール超"], 5) == [
        "Dragon Ball Super: Broly", "dragon ball super broly", "dragon ball super"]


def test_choose_season_prefers_the_number_a_film_and_the_language():
    seasons = [("Saison 1", "https://s/catalogue/a/saison1/vf/"),
               ("Saison 1", "https://s/catalogue/a/saison1/vostfr/"),
               ("Saison 2", "https://s/catalogue/a/saison2/vostfr/"),
               ("Film", "https://s/catalogue/a/film/vostfr/")]
    assert choose_season(seasons, None, "tv", "vostfr").endswith("/saison1/vostfr/")
    assert choose_season(seasons, 2, "tv", "vostfr").endswith("/saison2/vostfr/")
    assert choose_season(seasons, None, "movie", "vostfr").endswith("/film/vostfr/")
    assert choose_season(seasons, 7, "tv", "vf").endswith("/saison1/vf/")


# --- matching against the fixture site's search ------------------------------------------


@pytest.fixture
def listed_site(fixture_site):
    add_catalogue(fixture_site)
    return fixture_site


def _outcome(entries, proposals, truth):
    right = wrong = missed = 0
    for entry, proposal in zip(entries, proposals, strict=True):
        want, got = truth[entry.title], (proposal.match or {}).get("url")
        if got is None:
            missed += want is not None
        elif got == want:
            right += 1
        else:
            wrong += 1
    return right, wrong, missed


def test_mal_export_matches_the_fixture_site(listed_site, site_registry, site_client,
                                             redis_conn):
    entries = parse_mal_export(MAL_EXPORT.read_bytes())
    matcher = Matcher(site_registry, site_client, redis_conn, deadline=60)
    proposals = matcher.match_all(entries)
    truth = expected("mal", listed_site.url)
    right, wrong, missed = _outcome(entries, proposals, truth)
    assert wrong == 0
    assert right >= 30 and missed <= 2, (right, missed)
    by_title = {e.title: p for e, p in zip(entries, proposals, strict=True)}
    broly = by_title["Dragon Ball Super: Broly"]
    assert broly.match == {"title": "Dragon Ball Super", "provider_id": "animesama",
                           "url": listed_site.url + "/catalogue/dragon-ball-super/film/vostfr/",
                           "lang": "vostfr"}
    assert 0.75 <= broly.confidence < 1
    assert by_title["Naruto"].match is None and by_title["Naruto"].confidence == 0
    # the indexes of neko-sama and anime-ultime were fetched once for the whole list
    assert listed_site.hits("/animes-search-vostfr.json") == 1
    assert listed_site.hits("/series-0-1/anime/0-") == 1


def test_anilist_entries_match_through_every_title(listed_site, site_registry, site_client,
                                                   redis_conn, httpserver):
    serve_anilist(httpserver)
    entries = fetch_anilist_list(site_client, httpserver.url_for("/"), ANILIST_USER)
    proposals = Matcher(site_registry, site_client, redis_conn, 60).match_all(entries)
    right, wrong, missed = _outcome(entries, proposals, expected("anilist", listed_site.url))
    assert wrong == 0 and right >= 32 and missed <= 2, (right, wrong, missed)


def test_every_site_down_is_service_unavailable(fixture_site, site_registry, site_client,
                                                redis_conn):
    for prefix in ("/catalogue", "/template-php", "/animes-search", "/series-0-1"):
        fixture_site.fail(prefix, status=503)
    entries = parse_mal_export(MAL_EXPORT.read_bytes())[:3]
    with pytest.raises(ServiceUnavailable):
        Matcher(site_registry, site_client, redis_conn, 30).match_all(entries)


def test_nothing_new_is_searched_after_the_deadline(listed_site, site_registry, site_client,
                                                    redis_conn):
    entries = parse_mal_export(MAL_EXPORT.read_bytes())
    matcher = Matcher(site_registry, site_client, redis_conn, deadline=0)
    proposals = matcher.match_all(entries)
    assert matcher.queries == 0 and all(p.match is None for p in proposals)


def test_fixture_users_are_well_formed():
    users = anilist_users()
    lists = users[ANILIST_USER]["data"]["MediaListCollection"]["lists"]
    assert sum(len(group["entries"]) for group in lists if group["status"]) == 50
    assert json.dumps(users)  # plain JSON the stand-in serves as is
