"""Where a store keeps its files. Imports nothing heavy: the app asks "is there a wallet?" before it
draws its first screen."""

from __future__ import annotations

from pathlib import Path
from typing import Final

STORE_FILE_NAME: Final = "wallet.civid"
ATTEMPTS_FILE_NAME: Final = "pin-attempts.json"


def store_file(directory: Path) -> Path:
    """The sealed container's path in ``directory``."""
    return directory / STORE_FILE_NAME


def store_exists(directory: Path) -> bool:
    """True when ``directory`` already holds a wallet store."""
    return store_file(directory).is_file()
