"""Downloads page (figures, disk room, clear finished), the self-polling download state
fragment (also used on detail pages), and watching or fetching a downloaded episode."""

from __future__ import annotations

from typing import Any

from flask import current_app, make_response, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.auth.views import safe_next
from webapp.downloading.control import (
    cancel,
    get_download,
    list_downloads,
    request_episode,
    retry,
)
from webapp.downloading.files import clear_finished, completed_file, media_type, playable
from webapp.downloading.serialize import download_to_dict, live_progress
from webapp.errors import NotFound
from webapp.infra.disk import disk_report
from webapp.pages import bp
from webapp.pages.htmx import back_to, page_or_fragment
from webapp.pages.live import live_redis

ACTIVE = ("running", "queued", "pending")
RECENT = 25
STATE_FRAGMENT = "downloads/_state.html"


def _grouped() -> dict[str, Any]:
    """The user's downloads as API dicts with live figures, grouped for the page."""
    rows = list_downloads(current_user.id, limit=300)
    live = live_progress(live_redis(), rows)
    items = [download_to_dict(d, live.get(d.id)) for d in rows]
    active = sorted((d for d in items if d["status"] in ACTIVE),
                    key=lambda d: (ACTIVE.index(d["status"]), d["id"]))
    return {"active": active,
            "failed": [d for d in items if d["status"] == "failed"][:RECENT],
            "completed": [d for d in items if d["status"] in ("completed", "cancelled")][:RECENT],
            "disk": disk_report(current_app.config["DOWNLOAD_DIR"])}


@bp.app_template_filter("playable")
def playable_filter(path: str | None) -> bool:
    """Whether the browser's <video> can play this library file (mp4, webm)."""
    return playable(path)


@bp.get("/downloads")
def downloads() -> Response:
    """Running, queued, failed and recent downloads; the list refreshes itself while busy."""
    return page_or_fragment("downloads/page.html", "downloads/_list.html", **_grouped())


def state_response(download: Any | None, item_id: str, number: Any) -> Response:
    """A download's state cell (htmx), else a redirect back to the page it came from."""
    data = None
    if download is not None:
        data = download_to_dict(download, live_progress(live_redis(), [download]).get(download.id))
    back = safe_next(request.values.get("next")) or url_for("pages.downloads")
    resp = back_to(back, STATE_FRAGMENT, d=data, item_id=item_id, number=number,
                   back=back)
    resp.headers["HX-Trigger"] = "downloads-changed"
    return resp


@bp.get("/downloads/<id:download_id>/state")
def download_state(download_id: int) -> Response:
    """One download's state cell; it polls itself every second until the download ends."""
    download = get_download(current_user.id, download_id)
    data = download_to_dict(download, live_progress(live_redis(), [download]).get(download.id))
    back = safe_next(request.args.get("next")) or url_for("pages.downloads")
    resp = make_response(render_template(STATE_FRAGMENT, d=data, item_id=download.item_id,
                                         number=data["episode"], back=back))
    resp.vary.add("HX-Request")
    return resp


@bp.post("/downloads/<id:download_id>/retry")
def retry_download(download_id: int) -> Response:
    """Try a failed, cancelled or finished download again."""
    download = retry(current_user.id, download_id)
    return state_response(download, download.item_id, download.episode)


@bp.post("/downloads/<id:download_id>/cancel")
def cancel_download(download_id: int) -> Response:
    """Cancel a waiting or running download."""
    download = cancel(current_user.id, download_id)
    return state_response(download, download.item_id, download.episode)


@bp.post("/watchlist/<item_id>/episodes/<number>/download")
def download_episode(item_id: str, number: str) -> Response:
    """Download one episode now (again, if it was downloaded or failed)."""
    try:
        value = float(number)
    except ValueError:
        raise NotFound("episode") from None
    download = request_episode(current_user.id, item_id, value)
    return state_response(download, item_id, download.episode)


@bp.post("/downloads/clear")
def clear_downloads() -> Response:
    """Hide finished (or failed) downloads from the list; files and activity stay."""
    clear_finished(current_user.id, request.form.getlist("status"))
    return back_to(url_for("pages.downloads"), "downloads/_list.html", **_grouped())


@bp.get("/downloads/<id:download_id>/file")
def download_file(download_id: int) -> Response:
    """The downloaded episode's file (Range supported); `?save=1` asks to save it."""
    path = completed_file(current_user.id, download_id, current_app.config["DOWNLOAD_DIR"])
    return send_file(path, mimetype=media_type(path), conditional=True, etag=True,
                     as_attachment=request.args.get("save") == "1", download_name=path.name,
                     max_age=0)


@bp.get("/downloads/<id:download_id>/watch")
def watch_download(download_id: int) -> Response:
    """A page that plays the episode (mp4, webm) or offers it to save."""
    download = get_download(current_user.id, download_id)
    path = completed_file(current_user.id, download_id, current_app.config["DOWNLOAD_DIR"])
    return make_response(render_template(
        "downloads/watch.html", d=download_to_dict(download), name=path.name,
        playable=playable(path), media_type=media_type(path), size=path.stat().st_size))
