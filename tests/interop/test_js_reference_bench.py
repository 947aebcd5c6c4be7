"""The JS reference bench: Digital Bazaar's VP verification rate over presentations given as JSON Lines."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import JsHarness

pytestmark = [pytest.mark.interop, pytest.mark.slow]

RUN_PY = Path(__file__).resolve().parents[2] / "bench" / "js_reference" / "run.py"
CHALLENGE = "5f0c2e7a-bench"
DOMAIN = "https://verifier.civid.example"
ISSUER_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
HOLDER_SEEDS = [f"{i:02x}" * 32 for i in range(0x21, 0x24)]


@pytest.fixture(scope="module")
def reference_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("civid_bench_js_reference", RUN_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def presentations(js: JsHarness) -> list[dict[str, Any]]:
    """One VP per holder, each carrying its own credential from the one issuer."""
    vps = []
    for i, seed in enumerate(HOLDER_SEEDS):
        holder = js.did_key(seed)
        credential = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": holder.did, "name": f"Citizen {i}"},
        }
        vc = js.sign(credential, seed_hex=ISSUER_SEED, cryptosuite="eddsa-rdfc-2022")
        vp = js.sign_vp(vc, seed_hex=seed, cryptosuite="eddsa-rdfc-2022", challenge=CHALLENGE, domain=DOMAIN)
        vps.append(vp)
    return vps


def write_jsonl(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


def test_reference_rate_is_measured_over_presentations_written_as_jsonl(
    reference_bench: ModuleType, presentations: list[dict[str, Any]], tmp_path: Path
) -> None:
    bare, *wrapped = presentations
    lines = [bare, *({"presentation": vp, "challenge": CHALLENGE, "domain": DOMAIN} for vp in wrapped)]
    rate = reference_bench.measure_reference_vp_rate(write_jsonl(tmp_path / "vps.jsonl", lines), 1.0)
    assert isinstance(rate, float) and rate > 1.0


def test_reference_rate_refuses_to_count_a_presentation_that_does_not_verify(
    reference_bench: ModuleType, presentations: list[dict[str, Any]], tmp_path: Path
) -> None:
    tampered = copy.deepcopy(presentations[0])
    tampered["verifiableCredential"][0]["credentialSubject"]["name"] = "Someone else"
    with pytest.raises(reference_bench.ReferenceBenchError, match="did not verify"):
        reference_bench.measure_reference_vp_rate(write_jsonl(tmp_path / "vps.jsonl", [tampered]), 1.0)
