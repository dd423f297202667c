"""Auth views (placeholder until filled)."""

from webapp.auth import bp


@bp.get("/login")
def login() -> str:
    """Log in."""
    return "login"
