"""The JSON API under /api: token auth, body checks, the error shape, and its endpoints."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_openapi3 import APIBlueprint
from werkzeug.exceptions import HTTPException

from webapp.auth.tokens import authenticate_token
from webapp.errors import DomainError, error_response, http_status
from webapp.extensions import csrf
from webapp.schemas import COMMON_ERROR_RESPONSES
from webapp.schemas.imports import MAL_MEDIA_TYPES

API_SECURITY = [{"bearer": []}, {"apiKey": []}]
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
LARGE_BODY_ENDPOINTS = {"api.import_watchlist", "api.import_mal"}
# Endpoints whose body is not JSON, with the media types they take.
RAW_BODY_ENDPOINTS = {"api.import_mal": tuple(MAL_MEDIA_TYPES)}
PUBLIC_ENDPOINTS = {"api.openapi_json"}

api = APIBlueprint("api", __name__, url_prefix="/api", abp_security=API_SECURITY,
                   abp_responses=COMMON_ERROR_RESPONSES)


def _presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("X-Api-Key") or None


@api.before_request
def authenticate_and_check_body() -> Response | None:
    """Require a valid token with the right scope, and a sane JSON body."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    auth = authenticate_token(_presented_token() or "")
    if auth is None:
        return error_response(401, "A valid API token is required (Authorization: Bearer "
                                   "<token> or X-Api-Key).",
                              headers={"WWW-Authenticate": 'Bearer realm="api"'})
    needed = "read" if request.method in READ_METHODS else "write"
    if needed not in auth.scopes:
        return error_response(403, f"This token lacks the '{needed}' scope.")
    g.auth = auth
    g.user = auth.user
    if request.method in READ_METHODS:
        return None
    return _check_body()


DISCARD_AT_MOST = 256 * 1024 * 1024


def _discard_body(length: int) -> None:
    """Read a refused body to its end (up to a bound) before answering: a server that closes
    with the body unread resets the connection, and the client never sees the 413."""
    if length > DISCARD_AT_MOST:
        return
    stream = request.environ.get("wsgi.input")
    left = length
    try:
        while left > 0 and stream is not None:
            chunk = stream.read(min(left, 1024 * 1024))
            if not chunk:
                break
            left -= len(chunk)
    except OSError:
        pass


def _check_body() -> Response | None:
    config = current_app.config
    limit = config["MAX_CONTENT_LENGTH"] if request.endpoint in LARGE_BODY_ENDPOINTS \
        else config["API_MAX_BODY"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        _discard_body(request.content_length)
        return error_response(413, f"The body is larger than {limit // (1024 * 1024)} MiB.")
    data = request.get_data(cache=True)  # raises 413 past the limit
    if not data:
        return None
    if request.endpoint in RAW_BODY_ENDPOINTS:
        if request.mimetype in RAW_BODY_ENDPOINTS[request.endpoint]:
            return None
        return error_response(415, "Send the body as one of: "
                                   f"{', '.join(RAW_BODY_ENDPOINTS[request.endpoint])}.")
    if not request.is_json:
        return error_response(415, "Send the body as JSON (Content-Type: application/json).")
    try:
        parsed = request.get_json(force=False, silent=False, cache=True)
    except Exception:  # noqa: BLE001 - any decoding failure is the client's malformed JSON
        return error_response(400, "The body is not valid JSON.")
    if not isinstance(parsed, dict):
        return error_response(422, "The body must be a JSON object.",
                              [{"field": "body", "message": "must be an object"}])
    return None


def current_user_id() -> int:
    """The id of the user the request's token belongs to."""
    return g.user.id


def _handle_domain_error(exc: DomainError) -> Response:
    return error_response(http_status(exc), exc.message, exc.details)


def _handle_http_error(exc: HTTPException) -> Response | HTTPException:
    if not request.path.startswith("/api"):
        return exc
    if exc.response is not None and exc.code == 422:
        return exc.response  # flask-openapi3 already built it in our shape
    messages = {
        400: "The request is malformed.",
        404: "No such endpoint or resource.",
        405: f"{request.method} is not allowed on this endpoint.",
        413: "The body is too large.",
        415: "Send the body as JSON (Content-Type: application/json).",
    }
    code = exc.code or 500
    headers = {}
    if code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return error_response(code, messages.get(code, exc.description or "Request failed."),
                          headers=headers)


def register_api(app: Flask) -> None:
    """Attach every API endpoint, its error handling, and the /api/openapi.json alias."""
    from webapp.api import (  # noqa: F401  (register routes)
        activity,
        checks,
        discovery,
        downloads,
        imports,
        item_sources,
        lists,
        notifications,
        scheduler,
        stats,
        watchlist,
    )

    csrf.exempt(api)  # the API takes bearer tokens only, never the session cookie
    app.register_api(api)
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.add_url_rule("/api/openapi.json", "api.openapi_json",
                     lambda: app.api_doc, methods=["GET"])
