"""Infrastructure shared by the server programs (the issuer and the verifier).

:mod:`.settings` loads a program's settings (flags > environment > TOML file > defaults);
:mod:`.db` opens its database, runs its transactions and applies its Alembic migrations. Each
program keeps its own tables, migration scripts and version table. Nothing here imports grpc,
textual or a program package.
"""
