"""The seven steps of the demo, in order; each checks its own outcome and raises StepFailed otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from civid.cli.demo_steps import processes
from civid.cli.demo_steps.officer import revoke_credential
from civid.cli.demo_steps.processes import Server
from civid.cli.demo_steps.relying_party import RelyingParty, error_codes, read_api_key, result_json
from civid.cli.demo_steps.report import Narrator, StepFailed
from civid.cli.demo_steps.setup import AIRLINE_POLICY, ISSUER_DID, write_demo_policies, write_trust_file
from civid.cli.demo_steps.wallet import EXIT_REJECTED, HeadlessWallet
from civid.core.crypto.keys import Ed25519KeyPair
from civid.issuer.v1 import issuer_service_pb2, issuer_service_pb2_grpc
from civid.rpc.errors import error_details

# The demo citizen: registry photo obama.jpg; the selfie is another photo of the same person.
CITIZEN_NATIONAL_ID = "1103083804285"
CITIZEN_LASER_CODE = "DP5-4133755-69"
SELFIE_PHOTO = "obama2.jpg"
AIRLINE = "thai-domestic-air"
CONSULATE = "consular-affairs"
CONSULATE_POLICY = "passport-application"
AIRLINE_CLAIMS = {"titleEn", "givenNameEn", "familyNameEn", "photo", "nationalIdNumber"}
OFFICER_ID = "officer-demo"


@dataclass
class Journey:
    """Runs the journey; holds the servers so they are always stopped."""

    narrator: Narrator
    work: Path
    out: Path
    pin: str
    interactive: bool
    start_timeout_s: float
    servers: list[Server] = field(default_factory=list)
    officer_key: Ed25519KeyPair = field(default_factory=Ed25519KeyPair.generate)

    def run(self) -> None:
        self.start_services()
        wallet = self.enrol()
        credential = self.show_credential(wallet)
        airline = self.relying_party(AIRLINE)
        self.present(wallet, airline, AIRLINE_POLICY, "airline", "The airline asks for boarding verification")
        consulate = self.relying_party(CONSULATE)
        self.present(wallet, consulate, CONSULATE_POLICY, "consulate", "The consulate checks identity")
        self.revoke(credential["id"])
        self.recheck_revoked(wallet, airline)
        self.shutdown()

    # 1 ---------------------------------------------------------------------------------------------
    def start_services(self) -> None:
        with self.narrator.step("Start the issuer (demo registry) and the verifier; register an officer"):
            issuer_dir, verifier_dir = self.work / "issuer", self.work / "verifier"
            issuer_dir.mkdir()
            verifier_dir.mkdir()
            self._cli(
                "issuer",
                "officer",
                "add",
                "--data-dir",
                str(issuer_dir),
                "--name",
                "Demo Officer",
                "--id",
                OFFICER_ID,
                "--public-key",
                self.officer_key.public_key.multikey,
            )
            self.narrator.say(
                f"officer {OFFICER_ID} registered with key {self.officer_key.public_key.multikey[:20]}…"
            )
            self.issuer_address = f"127.0.0.1:{processes.free_port()}"
            issuer = processes.start_server(
                "issuer",
                ["issuer", "serve", "--data-dir", str(issuer_dir), "--listen", self.issuer_address],
                self.issuer_address,
                self.work / "issuer.log",
            )
            self.servers.append(issuer)
            processes.wait_serving(issuer, self.start_timeout_s)
            self.narrator.say(f"issuer {ISSUER_DID} serving at {self.issuer_address}")
            self._save_did_document()
            self.verifier_dir = verifier_dir
            self.verifier_address = f"127.0.0.1:{processes.free_port()}"
            trust = write_trust_file(self.work / "trust.toml", self.issuer_address)
            policies = write_demo_policies(self.work / "policies.toml")
            verifier = processes.start_server(
                "verifier",
                [
                    "verifier",
                    "serve",
                    "--data-dir",
                    str(verifier_dir),
                    "--listen",
                    self.verifier_address,
                    "--trust",
                    str(trust),
                    "--policies",
                    str(policies),
                ],
                self.verifier_address,
                self.work / "verifier.log",
            )
            self.servers.append(verifier)
            processes.wait_serving(verifier, self.start_timeout_s)
            self.narrator.say(f"verifier serving at {self.verifier_address}, trusting {ISSUER_DID}")

    def _save_did_document(self) -> None:
        with grpc.insecure_channel(self.issuer_address) as channel:
            stub = issuer_service_pb2_grpc.IssuerServiceStub(channel)
            answer = _call(stub.GetDidDocument, issuer_service_pb2.GetDidDocumentRequest(), "GetDidDocument")
        if answer.did != ISSUER_DID:
            raise StepFailed(f"the issuer calls itself {answer.did!r}, not {ISSUER_DID!r}")
        _dump(self.out / "issuer-did.json", json.loads(answer.did_document_json))

    # 2 ---------------------------------------------------------------------------------------------
    def enrol(self) -> HeadlessWallet:
        wallet = HeadlessWallet(self.work / "wallet", self.pin)
        selfie = _selfie_path()
        with self.narrator.step("A citizen creates a wallet and enrols with a face photo"):
            if self.interactive:
                self._interactive(
                    wallet,
                    [
                        f"create a wallet with PIN {self.pin}, issuer {self.issuer_address}, "
                        f"verifier {self.verifier_address}",
                        f"enrol: national ID {CITIZEN_NATIONAL_ID}, laser code {CITIZEN_LASER_CODE}, "
                        f"selfie {selfie}",
                    ],
                )
            else:
                _, created = wallet.run(
                    "init",
                    "--issuer",
                    self.issuer_address,
                    "--verifier",
                    self.verifier_address,
                    "--language",
                    "en",
                )
                self.narrator.say(f"wallet created; holder {created['holderDid'][:32]}…")
                wallet.run(
                    "enrol",
                    "--national-id",
                    CITIZEN_NATIONAL_ID,
                    "--laser-code",
                    CITIZEN_LASER_CODE,
                    "--selfie",
                    str(selfie),
                )
            self.narrator.say(f"selfie {selfie.name} matched the registry photo; credential received")
        return wallet

    # 3 ---------------------------------------------------------------------------------------------
    def show_credential(self, wallet: HeadlessWallet) -> dict[str, Any]:
        with self.narrator.step("The wallet holds the national ID credential"):
            _, status = wallet.run("status")
            if status.get("state") != "valid":
                raise StepFailed(f"the issuer's status list says {status.get('state')!r}, not valid")
            _, shown = wallet.run("show")
            held = [c for c in shown.get("credentials", []) if "NationalIdCredential" in c.get("types", [])]
            if not held:
                raise StepFailed(f"the wallet holds no NationalIdCredential: {shown}")
            card = held[-1]
            claims = card.get("claims", {})
            for key, value in claims.items():
                if any(part in key for part in ("NameEn", "titleEn", "nationalIdNumber")):
                    self.narrator.say(f"{key}: {value}")
            self.narrator.say(f"status: {card.get('status', {}).get('state')}  id: {card['id']}")
            wallet.run("export", "--to", str(self.out / "credential.json"))
            self.narrator.say(f"credential written to {self.out / 'credential.json'}")
            return dict(card)

    # 4, 5 ------------------------------------------------------------------------------------------
    def relying_party(self, rp_id: str) -> RelyingParty:
        return RelyingParty(rp_id, read_api_key(self.verifier_dir, rp_id), self.verifier_address)

    def present(self, wallet: HeadlessWallet, rp: RelyingParty, policy: str, label: str, title: str) -> None:
        with self.narrator.step(f"{title} ({rp.rp_id}, policy {policy})"):
            request = _call(rp.create_request, policy, "CreatePresentationRequest")
            self.narrator.say(f"request {request.compact}")
            if self.interactive:
                self._interactive(wallet, [f"present: paste {request.compact} and consent"])
            else:
                wallet.run(
                    "present",
                    "--request",
                    request.compact,
                    "--yes",
                    "--save-vp",
                    str(self.out / f"presentation-{label}.json"),
                )
                self.narrator.say("the citizen consented; the wallet signed and submitted the presentation")
            result = _call(rp.result, request.presentation_request_id, "GetPresentationResult")
            _dump(self.out / f"result-{label}.json", result_json(result))
            if not result.verification.verified:
                raise StepFailed(f"the {label} was refused: {error_codes(result)}")
            released = dict(result.released_claims)
            if policy == AIRLINE_POLICY and not set(released) <= AIRLINE_CLAIMS:
                raise StepFailed(f"the airline received more than it asked: {sorted(released)}")
            for name, value in released.items():
                self.narrator.say(f"released {name}: {_short(value)}")

    # 6 ---------------------------------------------------------------------------------------------
    def revoke(self, credential_id: str) -> None:
        with self.narrator.step("The officer revokes the credential (reason: lost phone)"):
            answer = _call(
                lambda cid: revoke_credential(
                    self.issuer_address, self.officer_key, OFFICER_ID, cid, "lost phone"
                ),
                credential_id,
                "RevokeCredential",
            )
            state = _state_name(answer.credential.state)
            if state != "REVOKED":
                raise StepFailed(f"the issuer answered state {state}, not REVOKED")
            self.narrator.say(f"credential {answer.credential.credential_id} is now {state}")

    # 7 ---------------------------------------------------------------------------------------------
    def recheck_revoked(self, wallet: HeadlessWallet, airline: RelyingParty) -> None:
        with self.narrator.step("The airline checks again: the presentation must fail as REVOKED"):
            request = _call(airline.create_request, AIRLINE_POLICY, "CreatePresentationRequest")
            code, _ = wallet.run(
                "present",
                "--request",
                request.compact,
                "--yes",
                "--save-vp",
                str(self.out / "presentation-airline-revoked.json"),
                allowed=(0, EXIT_REJECTED),
            )
            result = _call(airline.result, request.presentation_request_id, "GetPresentationResult")
            _dump(self.out / "result-airline-revoked.json", result_json(result))
            codes = error_codes(result)
            if result.verification.verified or code != EXIT_REJECTED or "REVOKED" not in codes:
                raise StepFailed(
                    f"expected a rejection naming REVOKED; verified={result.verification.verified}, "
                    f"wallet exit {code}, errors {codes}"
                )
            if result.released_claims:
                raise StepFailed("a rejected presentation released claims")
            self.narrator.say(f"rejected as expected: {', '.join(codes)}; nothing released")

    # end -------------------------------------------------------------------------------------------
    def shutdown(self) -> None:
        with self.narrator.step("Stop the servers gracefully (SIGTERM)"):
            for server in reversed(self.servers):
                code = processes.stop_server(server)
                if code is None:
                    raise StepFailed(f"the {server.name} did not stop within the grace period")
                self.narrator.say(f"{server.name} stopped (exit {code})")
            self.servers.clear()

    def stop_servers(self) -> None:
        for server in reversed(self.servers):
            processes.stop_server(server)
        self.servers.clear()

    def _interactive(self, wallet: HeadlessWallet, todo: list[str]) -> None:
        self.narrator.say("the wallet opens now; in it:")
        for line in todo:
            self.narrator.say(f"  - {line}")
        self.narrator.say("then quit the wallet to continue the demo")
        code = wallet.interactive()
        if code != 0:
            raise StepFailed(f"the wallet app exited with code {code}")

    def _cli(self, *args: str) -> None:
        done = subprocess.run(
            processes.civid_command(*args), capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0:
            raise StepFailed(f"`civid {' '.join(args[:3])}` failed: {done.stderr.strip()[-2000:]}")


def _call(function: Any, argument: Any, name: str) -> Any:
    try:
        return function(argument)
    except grpc.RpcError as exc:
        details = error_details(exc)
        raise StepFailed(f"{name} failed: {details}") from exc


def _selfie_path() -> Path:
    """The selfie from the photo cache, fetched by scripts/fetch_photos.py (idempotent, fast when cached)."""
    script = Path(__file__).resolve().parents[4] / "scripts" / "fetch_photos.py"
    if not script.is_file():
        raise StepFailed(f"cannot find {script}: run the demo from a civid checkout")
    done = subprocess.run(
        [sys.executable, str(script), SELFIE_PHOTO], capture_output=True, text=True, timeout=600, check=False
    )
    found = dict(line.split("\t", 1) for line in done.stdout.splitlines() if "\t" in line)
    if done.returncode != 0 or SELFIE_PHOTO not in found:
        raise StepFailed(
            f"cannot get the selfie {SELFIE_PHOTO} (run scripts/bootstrap.sh): {done.stderr.strip()}"
        )
    return Path(found[SELFIE_PHOTO])


def _state_name(state: int) -> str:
    from civid.common.v1 import credential_status_pb2

    return str(credential_status_pb2.CredentialState.Name(state)).removeprefix("CREDENTIAL_STATE_")


def _short(value: str) -> str:
    return value if len(value) <= 60 else f"{value[:40]}… ({len(value)} characters)"


def _dump(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
