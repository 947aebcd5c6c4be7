"""Core credential engine rates on this machine (one process, one core), printed as figures.

    .venv/bin/python bench/bench_core.py [--count N] [--rounds R]

Prints VC sign and verify rates (per CPU-second) for distinct national-ID credentials, VP verify, and beside them the
raw Ed25519 verify rate (the floor). No result is cached between documents: each one differs. With ``--rounds R``
each round takes fresh documents and the last line gives each rate's best round (CPU time on a shared machine
varies from run to run; compare rates from the same run, or each rate against the floor).
"""

from __future__ import annotations

import argparse
import base64
import copy
import io
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nacl.signing import SigningKey
from PIL import Image

from civid.core.credential import CredentialChecks, verify_credential
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for
from civid.core.did.resolver import DidResolver
from civid.core.presentation import create_presentation, verify_presentation
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.schemas import NATIONAL_ID_V1, schema_for

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def photo_data_url() -> str:
    image = Image.effect_noise((96, 120), 40).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def credentials(
    count: int, issuer: Ed25519KeyPair, start: int = 0
) -> list[tuple[dict[str, Any], Ed25519KeyPair]]:
    template = schema_for(NATIONAL_ID_V1)["examples"][0]
    issuer_did = did_key_for(issuer.public_key)
    photo = photo_data_url()
    out = []
    for i in range(start, start + count):
        holder = Ed25519KeyPair.generate()
        vc = copy.deepcopy(template)
        vc["id"] = f"urn:uuid:00000000-0000-4000-8000-{i:012d}"
        vc["issuer"] = issuer_did
        vc["credentialSubject"]["id"] = did_key_for(holder.public_key)
        vc["credentialSubject"]["givenNameEn"] = f"Somchai{i}"
        vc["credentialSubject"]["photo"] = photo
        out.append((vc, holder))
    return out


def rate(label: str, items: list[Any], work: Callable[[Any], object]) -> float:
    """Items per CPU-second of this process (the machine is shared: wall clock is noisy)."""
    started = time.process_time()
    wall_started = time.perf_counter()
    for item in items:
        work(item)
    elapsed = time.process_time() - started
    wall = time.perf_counter() - wall_started
    per_s = len(items) / elapsed
    print(f"{label:<34} {per_s:>10.1f} /CPU-s ({len(items)} in {elapsed:.2f} CPU-s, {wall:.2f} s wall)")
    return per_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    arguments = parser.parse_args()
    issuer = Ed25519KeyPair.generate()
    rounds = [one_round(issuer, arguments.count, r * arguments.count) for r in range(arguments.rounds)]
    best = {name: max(r[name] for r in rounds) for name in rounds[0]}
    print(" ".join(f"{name}={rate:.0f}" for name, rate in best.items()))


def one_round(issuer: Ed25519KeyPair, count: int, start: int) -> dict[str, float]:
    issuer_did = did_key_for(issuer.public_key)
    vm = f"{issuer_did}#{issuer_did.removeprefix('did:key:')}"
    unsigned = credentials(count, issuer, start)
    options = ProofOptions(verification_method=vm, created=NOW)
    signed: list[dict[str, Any]] = []
    sign_rate = rate(
        "VC sign (eddsa-rdfc-2022)", unsigned, lambda p: signed.append(add_proof(p[0], issuer, options))
    )
    checks = CredentialChecks(DidResolver([]), NOW)
    verify_rate = rate(
        "VC verify (eddsa-rdfc-2022)", signed, lambda vc: _assert(verify_credential(vc, checks))
    )
    vps = []
    for vc, (_, holder) in zip(signed, unsigned, strict=True):
        did = did_key_for(holder.public_key)
        vps.append(
            create_presentation(
                [vc],
                holder,
                did,
                f"{did}#{did.removeprefix('did:key:')}",
                challenge=f"c{start + len(vps)}",
                domain="verifier.civid.example",
                created=NOW,
            )
        )
    vp_rate = rate(
        "VP verify (1 VC, full checks)",
        vps,
        lambda vp: _assert(
            verify_presentation(
                vp, checks, challenge=vp["proof"]["challenge"], domain="verifier.civid.example"
            )
        ),
    )
    key = SigningKey.generate()
    message = b"x" * 64
    sig = key.sign(message).signature
    verify_key = key.verify_key
    ed_rate = rate("Ed25519 verify (floor)", [None] * 20000, lambda _: verify_key.verify(message, sig))
    return {
        "vc_sign_per_s": sign_rate,
        "vc_verify_per_s": verify_rate,
        "vp_verify_per_s": vp_rate,
        "ed25519_verify_per_s": ed_rate,
    }


def _assert(result: Any) -> None:
    if not result.verified:
        raise SystemExit(f"verification failed in the bench: {result.to_json()}")


if __name__ == "__main__":
    main()
