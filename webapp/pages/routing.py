"""URL converters shared by the blueprints."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

from webapp.schemas.base import MAX_DB_INT


class DatabaseIdConverter(IntegerConverter):
    """`<id:name>`: a positive integer that fits a database id column; anything else does
    not match the route (a 404 page), never reaching the database as an overflow."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_DB_INT)
