"""The imports page (`/imports`): MyAnimeList, AniList and shared lists, with a confirm step.

Upload a MyAnimeList export or name an AniList user: the proposal page lists every entry
with its proposed match and confidence (ticked from PRECHECK_CONFIDENCE), a box for
another URL of a provider, and one button that adds the ticked entries.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import DomainError, Invalid, http_status
from webapp.pages import bp
from webapp.pages.htmx import is_htmx, page_or_fragment
from webapp.watchlist import imports

MAX_INDEX = 100_000


def _start_page(error: str | None = None, status: int = 200, **typed: Any) -> Response:
    return page_or_fragment("imports/page.html", "imports/_start.html", status,
                            error=error, typed=typed)


@bp.get("/imports")
def imports_page() -> Response:
    """Where a list is brought in: a MyAnimeList export or an AniList user name."""
    return _start_page()


def _to_proposal(make: Any, **typed: Any) -> Response:
    """Build a proposal and go to its confirm page (the start form again on an error)."""
    try:
        row = make()
    except DomainError as exc:
        return _start_page(exc.message, http_status(exc), **typed)
    url = url_for("pages.import_proposal", import_id=row.id)
    if not is_htmx():
        return redirect(url, 303)
    resp = _proposal_page(row.id)
    resp.headers["HX-Push-Url"] = url
    return resp


@bp.post("/imports/mal")
def import_mal_page() -> Response:
    """Match an uploaded MyAnimeList export."""
    upload = request.files.get("export")
    body = upload.read() if upload is not None else b""
    return _to_proposal(lambda: imports.import_mal(current_user.id, body))


@bp.post("/imports/anilist")
def import_anilist_page() -> Response:
    """Match an AniList user's list."""
    user = (request.form.get("user") or "").strip()[:64]
    if not user or not all(c.isalnum() or c in "_.-" for c in user):
        return _start_page("Type an AniList user name (letters, digits, _ . -).", 422,
                           user=user)
    return _to_proposal(lambda: imports.import_anilist(current_user.id, user), user=user)


def _proposal_page(import_id: str, status: int = 200, **context: Any) -> Response:
    row = imports.get_import(current_user.id, import_id)
    return page_or_fragment("imports/proposal.html", "imports/_proposal.html", status,
                            proposal=imports.proposal_dict(row),
                            precheck=imports.PRECHECK_CONFIDENCE, **context)


@bp.get("/imports/<import_id>")
def import_proposal(import_id: str) -> Response:
    """The proposed matches, to confirm or correct."""
    return _proposal_page(import_id)


def _choices(form: Any) -> tuple[list[int], dict[int, dict[str, Any]]]:
    """The ticked entries and, for each, the URL typed to correct its match."""
    accept = [int(v) for v in form.getlist("accept") if v.isdigit() and int(v) < MAX_INDEX]
    override = {}
    for index in accept:
        url = (form.get(f"url-{index}") or "").strip()
        if url:
            override[index] = {"url": url[:2000], "provider_id": None, "lang": None}
    return accept, override


@bp.post("/imports/<import_id>/confirm")
def confirm_import_page(import_id: str) -> Response:
    """Add the ticked entries in one go; say how many were added and skipped."""
    accept, override = _choices(request.form)
    if not accept:
        return _proposal_page(import_id, 422, error="Tick at least one anime to add.")
    try:
        created, skipped = imports.confirm_import(current_user.id, import_id, accept, override)
    except Invalid as exc:
        problems = [f"{d.get('field')}: {d.get('message')}" for d in exc.details][:10]
        return _proposal_page(import_id, 422, error=exc.message, problems=problems,
                              typed=request.form)
    return _proposal_page(import_id, result={"created": created, "skipped": skipped})
