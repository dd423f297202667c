"""Admin pages: users, install-wide settings, system health, provider mirrors, media
servers and backups."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])


def admin_required(view: F) -> F:
    """Answer 403 to anyone but an administrator."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


from webapp.pages.admin import (  # noqa: E402,F401
    backups,
    health,
    media_servers,
    mirrors,
    site_feeds,
    users,
)
