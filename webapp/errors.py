"""The one error shape of the API and the exception that carries it."""

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


class ApiError(Exception):
    """An error answered as `{"error", "message", "details"}` with its HTTP status."""

    def __init__(self, status: int, message: str, details: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.headers = headers or {}


class NotFound(ApiError):
    """A resource that does not exist for this user (never reveals another user's)."""

    def __init__(self, what: str = "resource") -> None:
        super().__init__(404, f"No such {what}.")


class ServiceUnavailable(ApiError):
    """A service the call needs (Redis, the database) does not answer."""

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


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
