"""The wallet's encrypted store: sealed files, PIN rules and lockout, atomic writes, backups.

Pure, synchronous code usable from the TUI and from headless commands alike. Import from the module
that does the job (:mod:`.store` the store, :mod:`.backup` backups, :mod:`.kdf` cost profiles,
:mod:`.errors` failures, :mod:`.attempts` lockout, :mod:`.pin` PIN rules, :mod:`.layout` file names):
this package imports nothing itself, so asking :func:`.layout.store_exists` stays cheap.
"""
