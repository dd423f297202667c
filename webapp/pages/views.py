"""Page views (placeholder until filled)."""

from webapp.pages import bp


@bp.get("/")
def index() -> str:
    """Home."""
    return "home"
