"""Tests of webapp/api/."""
