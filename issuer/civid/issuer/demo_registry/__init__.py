"""The synthetic demo registry (invented citizens; photos resolved by name at import time).

See :mod:`civid.issuer.demo_registry.generate` for who is who — notably the DEMO ENROLLEE, whose
registry photo is ``obama.jpg`` and whose demo selfie is ``obama2.jpg``.
"""

from pathlib import Path
from typing import Final

DEMO_FILE: Final = Path(__file__).parent / "citizens.jsonl"
"""Import with ``import_jsonl(DEMO_FILE, store, photo_resolver=..., template_fn=...)``."""

DEMO_PHOTO_NAMES: Final = ("obama.jpg", "biden.jpg", "astronaut.png", "grace_hopper.jpg")
"""The photos the demo file names; resolve them with the face helper's ``photo_path(name)``."""

__all__ = ["DEMO_FILE", "DEMO_PHOTO_NAMES"]
