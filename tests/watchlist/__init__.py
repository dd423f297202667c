"""Tests of webapp/watchlist/."""
