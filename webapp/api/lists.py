"""Batch add, bulk actions and sharing of the watchlist."""
