"""Add anime: search across providers, pick a source and its options, or paste a URL."""

from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from flask_login import current_user
from pydantic import ValidationError
from werkzeug.wrappers import Response

from webapp.errors import Conflict, DomainError, http_status
from webapp.infra.site_access import get_registry
from webapp.models import QUALITIES
from webapp.pages import bp
from webapp.pages.add_sources import add_options, current_episode, search
from webapp.pages.htmx import hx_redirect, is_htmx, page_or_fragment
from webapp.schemas import WatchlistItemCreate
from webapp.sites.http.errors import FetchError
from webapp.sites.types import ProviderError, UrlError
from webapp.watchlist.manager import WatchlistManager

MIN_QUERY = 2
OPTIONAL_INFO = ("poster_image", "synopsis")


def _providers() -> list[Any]:
    return get_registry().providers


@bp.get("/add")
def add() -> Response:
    """The search box and its results (htmx gets only the results)."""
    q = (request.args.get("q") or "").strip()[:200]
    provider = request.args.get("provider") or None
    results, errors = search(q, provider) if len(q) >= MIN_QUERY else ([], [])
    return page_or_fragment("add/page.html", "add/_results.html", q=q, provider=provider,
                            results=results, errors=errors, providers=_providers(),
                            qualities=QUALITIES, too_short=0 < len(q) < MIN_QUERY)


@bp.get("/add/options")
def add_form() -> Response:
    """The add form of one search result: its seasons/languages and download options."""
    url = request.args.get("url", "")
    options = add_options(url, request.args.get("provider", ""), request.args.get("title", ""))
    return page_or_fragment("add/options.html", "add/_options.html", options=options,
                            qualities=QUALITIES, result_id=request.args.get("rid", "one"))


NO_PROVIDER = ("No site recognises this URL. If it is a file listing or a feed, pick "
               "“HTTP directory” or “RSS/Atom feed” under Site; else check the address.")


class AddProblem(Exception):
    """The add form cannot go on; the message says what to do."""


def _create_body(form: Any) -> dict[str, Any]:
    """The create body from the add form (title and info from the site when not given)."""
    body: dict[str, Any] = {
        "anime_url": form.get("anime_url", "").strip(),
        "anime_title": form.get("anime_title", "").strip(),
        "auto_download": form.get("auto_download") == "on",
        "quality_preference": form.get("quality_preference") or "auto",
    }
    for name in ("provider_id", "lang", *OPTIONAL_INFO):
        if form.get(name):
            body[name] = form[name].strip()
    genres = [g for g in form.getlist("genres") if g.strip()]
    if genres:
        body["genres"] = genres
    provider_id = body.get("provider_id") or _guess_provider(body["anime_url"])
    if body["anime_url"] and not provider_id:
        raise AddProblem(NO_PROVIDER)
    if not body["anime_title"] and body["anime_url"]:
        options = add_options(body["anime_url"], provider_id)
        if options.unreadable and not options.title:
            raise AddProblem(f"The site could not be reached: {options.unreadable} Check the "
                             "address, or type a title to add it anyway.")
        body["anime_title"] = options.title
        body.setdefault("poster_image", options.poster_image)
        body.setdefault("synopsis", options.synopsis)
        body.setdefault("genres", list(options.genres))
    if form.get("start") == "new":
        body["last_episode_downloaded"] = current_episode(
            body["anime_url"], body.get("provider_id"), body.get("lang"))
    return {k: v for k, v in body.items() if v is not None}


def _guess_provider(url: str) -> str:
    try:
        provider = get_registry().for_url(url)
    except UrlError:
        return ""
    return provider.id if provider else ""


def _add_error(message: str, status: int = 422) -> Response:
    """The reason; the page keeps what was typed in the paste form (without htmx too)."""
    return page_or_fragment("add/page.html", "add/_added.html", status, error=message,
                            q="", provider=None, results=[], errors=[],
                            providers=_providers(), qualities=QUALITIES,
                            typed=request.form)


def _validation_message(exc: ValidationError) -> str:
    """Every bad field of the add form in one sentence."""
    names = {"anime_url": "URL", "anime_title": "Title", "lang": "Language",
             "provider_id": "Site", "quality_preference": "Quality"}
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "form"
        parts.append(f"{names.get(field, field)}: {error['msg']}")
    return "; ".join(parts) + "."


@bp.post("/add")
def create_item() -> Response:
    """Put the anime on the watchlist; a quick confirmation (or the reason it failed)."""
    try:
        body = _create_body(request.form)
        item = WatchlistManager(current_user.id).create_item(WatchlistItemCreate(**body))
    except AddProblem as exc:
        return _add_error(str(exc))
    except ValidationError as exc:
        return _add_error(_validation_message(exc))
    except Conflict as exc:
        existing = exc.details[0].get("item_id") if exc.details else None
        return page_or_fragment("add/page.html", "add/_added.html", 409,
                                existing=existing, q="", provider=None, results=[],
                                errors=[], providers=_providers(), qualities=QUALITIES)
    except DomainError as exc:
        return _add_error(exc.message, http_status(exc))
    except UrlError as exc:
        return _add_error(str(exc))
    except (ProviderError, FetchError) as exc:
        return _add_error(f"The site could not be read to count its episodes: {exc}", 502)
    if is_htmx() and request.form.get("inline") == "1":
        return page_or_fragment("add/page.html", "add/_added.html", item=item)
    flash(f"Added “{item.anime_title}” to your watchlist.", "success")
    return hx_redirect(url_for("pages.item_detail", item_id=item.id))
