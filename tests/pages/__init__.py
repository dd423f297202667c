"""Tests of webapp/pages/."""
