"""Tests of webapp/downloading/."""
