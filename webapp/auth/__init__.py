"""Login for pages: first-admin setup, login, logout, password change, sign-up, tokens page."""

from __future__ import annotations

from flask import Blueprint

from webapp.extensions import db, login_manager
from webapp.models import User

bp = Blueprint("auth", __name__)
login_manager.login_view = "auth.login"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login: the session's user, unless disabled."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and not user.disabled else None


from webapp.auth import views  # noqa: E402,F401
