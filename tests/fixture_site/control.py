"""The HTTP control API of a standalone fixture site (`POST /_control/<method>`, JSON kwargs)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from tests.fixture_site.server import FixtureSite


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def handle(site: FixtureSite, request: Request) -> Response:
    """Call one whitelisted control method; answer {"result": ...} or {"error": ...}."""
    name = request.path.removeprefix("/_control/").strip("/")
    if name not in site.CONTROL_METHODS:
        return Response(json.dumps({"error": f"unknown control method {name!r}"}), status=404,
                        content_type="application/json")
    if request.method == "GET":
        kwargs: dict[str, Any] = dict(request.args)
    else:
        kwargs = request.get_json(silent=True) or {}
    try:
        result = getattr(site, name)(**kwargs)
    except (TypeError, KeyError, ValueError) as exc:
        return Response(json.dumps({"error": str(exc)}), status=400,
                        content_type="application/json")
    return Response(json.dumps({"result": _jsonable(result)}), content_type="application/json")
