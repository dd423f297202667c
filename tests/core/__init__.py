"""Tests of the core modules and webapp/infra/: health, migrations, outages, smoke."""
