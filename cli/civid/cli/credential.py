"""`civid credential sign|verify` — offline tools for integrators and operators.

verify prints one JSON object ``{"verified", "checks", "errors"}`` and exits 0 (verified),
1 (not verified) or 2 (bad usage or unreadable input).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from civid.cli.io import InputError, print_json, read_json_object
from civid.core.credential import CredentialChecks, types_of, verify_credential
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.datetimes import parse_datetime
from civid.core.did.key import did_key_for
from civid.core.did.resolver import DidResolver
from civid.core.errors import CividError, ErrorCode
from civid.core.presentation import verify_presentation
from civid.core.proofs.dataintegrity import ProofOptions, add_proof
from civid.core.proofs.suites import SIGNING_SUITES
from civid.core.result import ErrorEntry, VerificationResult


class FileStatusLists:
    """Status list credentials given as files, found by their ``id``."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self._by_id = {d.get("id"): d for d in documents}

    def status_list(self, url: str) -> Mapping[str, Any]:
        try:
            return self._by_id[url]
        except KeyError:
            raise CividError(ErrorCode.STATUS_LIST_NOT_FOUND, f"no status list file with id {url}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = sub.add_parser("verify", help="verify a credential or a presentation")
    verify.add_argument("file", metavar="FILE|-")
    verify.add_argument("--now", help="verify as at this ISO date-time (default: now)")
    verify.add_argument("--challenge", help="the challenge a presentation must carry")
    verify.add_argument("--domain", help="the domain a presentation must carry")
    verify.add_argument(
        "--controller-doc",
        action="append",
        default=[],
        metavar="FILE",
        help="a DID/controller document to resolve non-did:key verification methods",
    )
    verify.add_argument(
        "--status-list",
        action="append",
        default=[],
        metavar="FILE",
        help="a status list credential; without any, status is reported 'not checked'",
    )
    verify.set_defaults(_action=_verify)

    sign = sub.add_parser("sign", help="add a Data Integrity proof to a document")
    sign.add_argument("file", metavar="FILE|-")
    sign.add_argument("--key-seed-hex", required=True, help="the 32-byte Ed25519 seed, hex")
    sign.add_argument("--cryptosuite", choices=SIGNING_SUITES, default="eddsa-rdfc-2022")
    sign.add_argument("--created", help="proof creation time (ISO date-time); default now")
    sign.add_argument("--purpose", choices=("assertionMethod", "authentication"), default="assertionMethod")
    sign.add_argument("--challenge")
    sign.add_argument("--domain")
    sign.add_argument("--verification-method", help="default: the seed's did:key verification method")
    sign.set_defaults(_action=_sign)


def run(args: argparse.Namespace) -> int:
    return int(args._action(args))


def _usage_error(code: ErrorCode, message: str) -> int:
    print_json(VerificationResult(errors=(ErrorEntry(code, message),)).to_json())
    return 2


def _verify(args: argparse.Namespace) -> int:
    try:
        document = read_json_object(args.file)
        controller_docs = [read_json_object(path) for path in args.controller_doc]
        status_docs = [read_json_object(path) for path in args.status_list]
        now = parse_datetime(args.now, "--now") if args.now else None
        resolver = DidResolver(controller_docs)
    except InputError as exc:
        return _usage_error(ErrorCode.MALFORMED_DOCUMENT, str(exc))
    except CividError as exc:
        return _usage_error(exc.code, exc.message)
    checks = CredentialChecks(resolver, now, FileStatusLists(status_docs) if status_docs else None)
    if "VerifiablePresentation" in types_of(document):
        result = verify_presentation(document, checks, challenge=args.challenge, domain=args.domain)
    else:
        result = verify_credential(document, checks)
    print_json(result.to_json())
    return 0 if result.verified else 1


def _sign(args: argparse.Namespace) -> int:
    try:
        document = read_json_object(args.file)
        key = Ed25519KeyPair.from_seed(bytes.fromhex(args.key_seed_hex))
        created: datetime | None = parse_datetime(args.created, "--created") if args.created else None
    except (InputError, ValueError) as exc:
        return _usage_error(ErrorCode.MALFORMED_DOCUMENT, str(exc))
    except CividError as exc:
        return _usage_error(exc.code, exc.message)
    did = did_key_for(key.public_key)
    vm = args.verification_method or f"{did}#{did.removeprefix('did:key:')}"
    options = ProofOptions(
        verification_method=vm,
        proof_purpose=args.purpose,
        cryptosuite=args.cryptosuite,
        created=created,
        challenge=args.challenge,
        domain=args.domain,
    )
    try:
        secured = add_proof(document, key, options)
    except CividError as exc:
        return _usage_error(exc.code, exc.message)
    print_json(secured)
    return 0
