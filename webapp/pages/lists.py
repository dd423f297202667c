"""Batch add, bulk changes and the shared read-only list (`/shared/<token>`)."""
