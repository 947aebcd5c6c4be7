"""Files the demo's programs start from: the trust file and the demo policies."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

from civid.cli.demo_steps.report import StepFailed

ISSUER_DID = "did:web:issuer.civid.example"
AIRLINE_POLICY = "airline-domestic-boarding"


def write_trust_file(path: Path, issuer_address: str) -> Path:
    """Trust exactly the demo issuer, reached at ``issuer_address``."""
    path.write_text(f'[[issuer]]\ndid = "{ISSUER_DID}"\naddress = "{issuer_address}"\n', encoding="utf-8")
    return path


def write_demo_policies(path: Path) -> Path:
    """The shipped policies, with the airline reading the issuer's current status list every time.

    The shipped airline policy accepts a status list up to 60 s old; the demo revokes and re-checks
    within seconds, so it asks for freshness 0 to show the revocation at once.
    """
    shipped = resources.files("civid.verifier.policies").joinpath("default.toml").read_text(encoding="utf-8")
    pattern = re.compile(rf'(id = "{AIRLINE_POLICY}".*?status_freshness_s = )\d+', re.DOTALL)
    text, count = pattern.subn(r"\g<1>0", shipped, count=1)
    policies = {p["id"]: p for p in tomllib.loads(text).get("policy", [])}
    if count != 1 or policies.get(AIRLINE_POLICY, {}).get("status_freshness_s") != 0:
        raise StepFailed(f"could not set the {AIRLINE_POLICY} status freshness in the shipped policies")
    path.write_text(text, encoding="utf-8")
    return path
