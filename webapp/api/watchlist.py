"""API endpoints: watchlist (to be filled)."""
