"""Turn pydantic validation errors into SPEC's error shape, one `details` entry per field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request
from pydantic import ValidationError

from webapp.errors import error_response

# Fields whose range is stated as "between A and B" (SPEC §4 wording).
FIELD_RANGES: dict[str, tuple[int, int]] = {
    "check_interval_hours": (1, 168),
    "max_concurrent_auto_downloads": (1, 10),
}


def _message(err: dict[str, Any], field: str) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if field in FIELD_RANGES and kind in {"greater_than_equal", "less_than_equal",
                                          "greater_than", "less_than"}:
        low, high = FIELD_RANGES[field]
        return f"must be between {low} and {high}"
    messages = {
        "missing": "is required",
        "extra_forbidden": "is not a known field",
        "int_type": "must be an integer",
        "int_parsing": "must be an integer",
        "float_type": "must be a number",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "string_type": "must be a string",
        "list_type": "must be a list",
        "dict_type": "must be an object",
        "model_type": "must be an object",
        "model_attributes_type": "must be an object",
        "literal_error": f"must be one of {ctx.get('expected', '')}".rstrip(),
        "enum": f"must be one of {ctx.get('expected', '')}".rstrip(),
        "string_too_short": "must not be empty" if ctx.get("min_length") == 1
        else f"must have at least {ctx.get('min_length')} characters",
        "string_too_long": f"must have at most {ctx.get('max_length')} characters",
        "too_long": f"must have at most {ctx.get('max_length')} entries",
        "too_short": f"must have at least {ctx.get('min_length')} entries",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "greater_than": f"must be greater than {ctx.get('gt')}",
        "less_than": f"must be less than {ctx.get('lt')}",
        "none_required": "must be null",
    }
    if kind in messages:
        return messages[kind]
    msg = str(err.get("msg") or "is invalid")
    return msg[len("Value error, "):] if msg.startswith("Value error, ") else msg


def details_from(exc: ValidationError) -> list[dict[str, str]]:
    """One entry per bad field: `{"field": "a.b", "message": "..."}`."""
    seen: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(loc) or "body"
        if field not in seen:
            seen[field] = _message(err, loc[0] if loc else field)
    return [{"field": f, "message": m} for f, m in seen.items()]


# endpoint -> a check run when its body fails validation, so the 422 also names problems
# found beyond the schema (the URL of a create body without a title, say).
MORE_DETAILS: dict[str, Callable[[], list[dict[str, Any]]]] = {}


def more_details_for(endpoint: str) -> Callable[[Callable], Callable]:
    """Register a check that adds `details` entries to the endpoint's validation 422."""
    def register(check: Callable[[], list[dict[str, Any]]]) -> Callable:
        MORE_DETAILS[endpoint] = check
        return check
    return register


def validation_error_response(exc: ValidationError) -> Response:
    """flask-openapi3's validation_error_callback: a 422 in SPEC's shape."""
    details = details_from(exc)
    check = MORE_DETAILS.get(request.endpoint or "")
    if check is not None:
        named = {d["field"] for d in details}
        details += [d for d in check() if d.get("field") not in named]
    return error_response(422, "Some fields are invalid.", details)
