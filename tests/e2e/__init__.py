"""End-to-end tests: the real processes of the Procfile against local fixture sites."""
