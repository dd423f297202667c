"""Reading a user's anime list from AniList's GraphQL API (`ANILIST_API_URL`).

One POST of `MediaListCollection(userName:, type: ANIME)` answers every list of the user
(`lists[].entries[]`, each with its `status` — CURRENT, PLANNING, … — `progress` and
`media { title { romaji english native } synonyms format }`). An unknown user (or a
private list) is answered 404 with `{"errors": [{"message", "status": 404}]}`. See
tests/fixtures/SOURCES.md "List imports".
"""

from __future__ import annotations

import json
from typing import Any

from webapp.errors import Invalid, ServiceUnavailable
from webapp.sites.http.errors import FetchError, HttpStatusError
from webapp.watchlist.imports.entries import (
    MAX_LIST_ENTRIES,
    PLAN_TO_WATCH,
    WATCHING,
    ListEntry,
    safe_int,
    unique_titles,
)

QUERY = """query ($userName: String) {
  MediaListCollection(userName: $userName, type: ANIME) {
    lists {
      name
      status
      entries {
        status
        progress
        media { id format title { romaji english native } synonyms }
      }
    }
  }
}"""
STATUSES = {"CURRENT": WATCHING, "PLANNING": PLAN_TO_WATCH}
MAX_ANSWER_BYTES = 16 * 1024 * 1024


def _unknown_user(user: str) -> Invalid:
    message = f"AniList has no user named {user!r}, or their list is private."
    return Invalid(message, [{"field": "user", "message": message}])


def _error_statuses(body: bytes | str) -> set[int]:
    try:
        errors = json.loads(body).get("errors") or []
    except (ValueError, AttributeError):
        return set()
    return {e.get("status") for e in errors if isinstance(e, dict)}


def _post(client: Any, api_url: str, user: str) -> Any:
    payload = json.dumps({"query": QUERY, "variables": {"userName": user}})
    try:
        page = client.fetch_page(api_url, method="POST", data=payload.encode(),
                                 headers={"Content-Type": "application/json",
                                          "Accept": "application/json"},
                                 max_bytes=MAX_ANSWER_BYTES)
    except HttpStatusError as exc:
        if exc.status == 404 or 404 in _error_statuses(exc.body):
            raise _unknown_user(user) from None
        if exc.status == 429:
            raise ServiceUnavailable("AniList is limiting requests (HTTP 429); try again "
                                     "in a minute.") from None
        raise ServiceUnavailable(f"AniList could not answer: {exc}") from None
    except FetchError as exc:
        raise ServiceUnavailable(f"AniList could not be reached: {exc}") from None
    try:
        return page.json()
    except ValueError:
        raise ServiceUnavailable("AniList answered something that is not its API's JSON.") \
            from None


def _entry(raw: Any) -> ListEntry | None:
    if not isinstance(raw, dict) or raw.get("status") not in STATUSES:
        return None
    media = raw.get("media") if isinstance(raw.get("media"), dict) else {}
    title = media.get("title") if isinstance(media.get("title"), dict) else {}
    synonyms = [s for s in media.get("synonyms") or [] if isinstance(s, str)]
    names = [title.get(k) for k in ("romaji", "english", "native")]
    titles = unique_titles(*[n[:500] for n in names + synonyms if isinstance(n, str)])
    if not titles:
        return None
    fmt = media.get("format")
    return ListEntry(title=titles[0], status=STATUSES[raw["status"]], titles=titles[:12],
                     progress=safe_int(raw.get("progress")),
                     kind=fmt.lower() if isinstance(fmt, str) else None,
                     external_id=str(media.get("id"))[:32] if media.get("id") else None)


def fetch_anilist_list(client: Any, api_url: str, user: str) -> list[ListEntry]:
    """The "watching" (CURRENT) and "planning" anime of an AniList user, once each."""
    answer = _post(client, api_url, user)
    data = answer.get("data") if isinstance(answer, dict) else None
    collection = data.get("MediaListCollection") if isinstance(data, dict) else None
    if not isinstance(collection, dict):
        if 404 in _error_statuses(json.dumps(answer)):
            raise _unknown_user(user)
        raise ServiceUnavailable("AniList's answer has no list in it; try again later.")
    entries: dict[str, ListEntry] = {}
    for group in collection.get("lists") or []:
        for raw in (group.get("entries") or []) if isinstance(group, dict) else []:
            entry = _entry(raw)
            if entry is not None:
                entries.setdefault(entry.external_id or entry.title, entry)
    if len(entries) > MAX_LIST_ENTRIES:
        raise Invalid(f"The list has {len(entries)} anime to watch; at most "
                      f"{MAX_LIST_ENTRIES} can be imported at once.",
                      [{"field": "user", "message": "too many anime to import at once"}])
    return list(entries.values())
