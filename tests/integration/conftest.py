"""Fixtures of the integration suite: environment for the programs it starts, photos, desk photos.

The programs (issuer, verifier, headless wallet) run as separate OS processes; see processes.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from civid.issuer.photos import fetch_photos

SELFIE = "obama2.jpg"  # another photo of the demo citizen whose registry photo is obama.jpg


@pytest.fixture(scope="session", autouse=True)
def fast_wallet_kdf() -> Iterator[None]:
    """Wallets started by the suite derive their PIN key with the fast test parameters."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIVID_WALLET_INSECURE_FAST_KDF", "1")
        yield


@pytest.fixture(scope="session")
def selfie() -> Path:
    """A selfie of the demo citizen 1103083804285 (fetched into the photo cache once)."""
    return fetch_photos([SELFIE])[SELFIE]


@pytest.fixture(scope="session")
def desk_photo() -> bytes:
    """A JPEG standing for the photo an officer takes at the desk (kept only as evidence)."""
    out = io.BytesIO()
    Image.new("RGB", (120, 150), (190, 150, 120)).save(out, format="JPEG", quality=80)
    return out.getvalue()
