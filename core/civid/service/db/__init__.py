"""A program's database: engines for SQLite or PostgreSQL, transactions, Alembic migrations.

:mod:`.url` turns a data directory or URL into a SQLAlchemy URL, :mod:`.engine` opens it,
:mod:`.tx` runs transactions, :mod:`.migrate` applies a program's own migrations (with
:mod:`.alembic_env` as their ``env.py``), :mod:`.columns` holds portable column types.
"""
