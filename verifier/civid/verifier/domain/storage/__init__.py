"""The verifier's database: relying parties, their keys, presentation requests and results.

SQLAlchemy Core on SQLite (WAL, the default, a file in the data directory) or PostgreSQL (by URL);
the schema is created and upgraded by Alembic migrations shipped here (:func:`migrate.migrate`).
"""
