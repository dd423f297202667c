"""Tests of webapp/feeds/."""
