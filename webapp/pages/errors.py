"""HTML error pages for everything outside /api (the API keeps its JSON error shape)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
import sqlalchemy.exc
from flask import Flask, current_app, g, make_response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from webapp.errors import DomainError, error_response, http_status
from webapp.pages.htmx import is_htmx

log = logging.getLogger(__name__)
# Outages of a needed service (not bugs): answered 503 rather than 500.
SERVICE_ERRORS = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                  redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

TITLES = {
    400: "Bad request", 403: "Not allowed", 404: "Page not found", 405: "Not allowed",
    413: "Too large", 429: "Too many attempts", 500: "Something went wrong",
    503: "A service is down",
}
MESSAGES = {
    400: "The request could not be understood. If you submitted a form, reload the page "
         "and try again.",
    403: "You are not allowed to open this page.",
    404: "There is nothing here. It may have been deleted, or it belongs to someone else.",
    500: "The server hit an unexpected error. It has been logged; try again in a moment.",
}


def is_api_path() -> bool:
    """True for requests to the JSON API, whose errors stay JSON."""
    return request.path == "/api" or request.path.startswith("/api/")


def error_page(status: int, message: str | None = None,
               headers: dict[str, str] | None = None) -> Response:
    """The HTML error page (or, for htmx, a message fragment shown in the flash area)."""
    message = message or MESSAGES.get(status) or TITLES.get(status, "Request failed.")
    title = TITLES.get(status, "Error")
    if is_htmx():
        resp = make_response(render_template("errors/_message.html", status=status,
                                             title=title, message=message), status)
        resp.headers["HX-Retarget"] = "#flash"
        resp.headers["HX-Reswap"] = "innerHTML"
    else:
        resp = make_response(render_template("errors/error.html", status=status, title=title,
                                             message=message), status)
    resp.headers.update(headers or {})
    resp.vary.add("HX-Request")
    return resp


def _html_for_http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    message = None
    if code == 400 and "CSRF" in (exc.description or ""):
        message = "The form's security token is missing or stale: reload the page and retry."
    elif code not in MESSAGES and exc.description:
        message = exc.description
    headers = dict(exc.get_headers()) if code in (405, 429) else {}
    headers.pop("Content-Type", None)
    return error_page(code, message, headers)


def register_error_pages(app: Flask) -> None:
    """Wrap the app's HTTPException handler: /api paths keep theirs, others get HTML pages.

    Call after the API registered its handler; Flask resolves a class handler by code first,
    so one class-level handler that dispatches on the path keeps both behaviours.
    """
    previous: Callable[[Any], Any] | None = app.error_handler_spec[None][None].get(HTTPException)

    def handle(exc: HTTPException) -> Any:
        if is_api_path() and previous is not None:
            return previous(exc)
        return _html_for_http_error(exc)

    app.register_error_handler(HTTPException, handle)
    for exc_class in SERVICE_ERRORS:
        app.register_error_handler(exc_class, service_down)


def service_down(exc: Exception) -> Response:
    """503 when the database or Redis does not answer: JSON for /api, a page elsewhere."""
    what = "database" if isinstance(exc, sqlalchemy.exc.DBAPIError) else "Redis server"
    log.error("the %s did not answer: %s", what, exc)
    message = f"The {what} is not answering right now; try again in a moment."
    if is_api_path():
        return error_response(503, message, headers={"Retry-After": "30"})
    # Drawn as for a visitor: the header's parts for a signed-in user (loading the user, the
    # bell's count, the live poll) would ask the service that is down again, inside this
    # handler, and turn the 503 page into gunicorn's bare 500.
    g._login_user = current_app.login_manager.anonymous_user()
    return error_page(503, message, {"Retry-After": "30"})


def domain_error_page(exc: DomainError) -> Response:
    """A service's error raised inside a page view, shown as an HTML page."""
    return error_page(http_status(exc), exc.message)
