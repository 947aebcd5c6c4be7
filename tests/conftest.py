"""Fixture plugins shared across test folders."""

pytest_plugins = ["tests.issuer.db_fixtures"]
