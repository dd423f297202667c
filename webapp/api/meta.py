"""API endpoints: meta (to be filled)."""
