"""Tests of webapp/checking/."""
