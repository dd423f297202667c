"""Shared pieces of the API models: field types, base classes and the error shape."""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from webapp.errors import ERROR_CODES
from webapp.sites.urls import check_http_url

Status = Literal["active", "paused", "completed", "archived"]
Quality = Literal["auto", "1080p", "720p", "480p"]
NotificationKind = Literal["new_episodes", "download_completed", "download_failed",
                           "source_error"]
DownloadStatus = Literal["pending", "queued", "running", "completed", "failed", "cancelled"]
MAX_EPISODE = 100_000
MAX_DB_INT = 2**31 - 1


def clean_text(value: str) -> str:
    """Refuse text no database can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _http_url(value: str) -> str:
    return check_http_url(clean_text(value))


Text = Annotated[str, AfterValidator(clean_text)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                  AfterValidator(clean_text)]
AnimeUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=2000), AfterValidator(clean_text)]
ImageUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000),
                     AfterValidator(_http_url)]
Synopsis = Annotated[str, StringConstraints(max_length=5000), AfterValidator(clean_text)]
Genre = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                  AfterValidator(clean_text)]
Genres = Annotated[list[Genre], Field(max_length=50)]
ProviderId = Annotated[str, StringConstraints(min_length=1, max_length=32),
                       AfterValidator(clean_text)]
Lang = Annotated[str, StringConstraints(min_length=1, max_length=16),
                 AfterValidator(clean_text)]
EpisodeNumber = Annotated[float, Field(ge=0, le=MAX_EPISODE, allow_inf_nan=False)]
IntervalHours = Annotated[int, Field(ge=1, le=168)]
MaxConcurrent = Annotated[int, Field(ge=1, le=10)]


class StrictBody(BaseModel):
    """Base of every request body: unknown fields and type coercion are errors."""

    model_config = ConfigDict(extra="forbid", strict=True)


class UpdateBody(StrictBody):
    """Base of partial-update bodies: the client sends any subset of the fields."""

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their new values."""
        return self.model_dump(exclude_unset=True)


class QueryModel(BaseModel):
    """Base of query-string models: lax types (query values are strings by nature)."""

    @classmethod
    @functools.cache
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The JSON schema, built once: flask-openapi3 asks for it on every request."""
        return super().model_json_schema(*args, **kwargs)


class ResponseModel(BaseModel):
    """Base of every documented response: exactly these fields."""

    model_config = ConfigDict(extra="forbid")


# --- errors -------------------------------------------------------------------------------


class ErrorResponse(ResponseModel):
    """The one error shape of the API."""

    error: Literal[tuple(sorted(set(ERROR_CODES.values())))]  # type: ignore[valid-type]
    message: str
    details: list[dict[str, Any]]


def error_responses(*codes: int) -> dict[int, type[ErrorResponse]]:
    """OpenAPI `responses` entries for these error statuses."""
    return {code: ErrorResponse for code in codes}


# Every /api endpoint can answer these (no/invalid token, missing scope, bad parameters).
COMMON_ERROR_RESPONSES = error_responses(401, 403, 422)
# Endpoints that take a JSON body can also answer these.
BODY_ERROR_RESPONSES = error_responses(400, 413, 415)
