"""Tests of webapp/sites/."""
