"""The errors services raise, and the one error shape the API answers them with.

Services raise a `DomainError` (NotFound, Conflict, Invalid, ServiceUnavailable): a `code`
of SPEC §4, a message for a person and details, but no HTTP status. Only the front doors
(webapp.api, webapp.pages) turn one into a response, with `http_status`.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    501: "not_implemented",
    503: "service_unavailable",
}
STATUS_OF_CODE = {code: status for status, code in ERROR_CODES.items()}


class DomainError(Exception):
    """A request a service refuses: its `code`, a `message` for a person, and `details`."""

    code = "error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    """A resource that does not exist for this user (never reveals another user's)."""

    code = "not_found"

    def __init__(self, what: str = "resource") -> None:
        super().__init__(f"No such {what}.")


class Conflict(DomainError):
    """The request clashes with the current state (already on the watchlist, already running)."""

    code = "conflict"


class Invalid(DomainError):
    """A value of the request is not acceptable; `details` name the fields."""

    code = "validation_error"


class ServiceUnavailable(DomainError):
    """A service the call needs (Redis, the database) does not answer."""

    code = "service_unavailable"


def http_status(exc: DomainError) -> int:
    """The HTTP status the front doors answer a domain error with (its code's, SPEC §4)."""
    return STATUS_OF_CODE.get(exc.code, 500)


def error_response(status: int, message: str, details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """Build the JSON error response of SPEC §4."""
    resp = jsonify({
        "error": ERROR_CODES.get(status, "error"),
        "message": message,
        "details": details or [],
    })
    resp.status_code = status
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp
