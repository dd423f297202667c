"""JSON responses of the API, serialised once with compact separators."""

from __future__ import annotations

import json
from typing import Any

from flask import Response


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (no key sorting: large lists are answered as fast as possible)."""
    body = json.dumps(data, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json", headers=headers)


def no_content() -> Response:
    """An empty 204 response."""
    return Response(status=204)
