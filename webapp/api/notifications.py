"""API endpoints: notifications (to be filled)."""
