"""Tests of webapp/library/."""
