"""`civid did key --seed-hex HEX` prints a did:key and its DID document."""

from __future__ import annotations

import argparse

from civid.cli.io import print_json
from civid.core.crypto.keys import Ed25519KeyPair
from civid.core.did.key import did_key_for, resolve_did_key


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    key = sub.add_parser("key", help="the did:key of an Ed25519 seed (or a new random key)")
    key.add_argument("--seed-hex", help="32-byte seed, hex; omit for a new random key")


def run(args: argparse.Namespace) -> int:
    pair = (
        Ed25519KeyPair.from_seed(bytes.fromhex(args.seed_hex)) if args.seed_hex else Ed25519KeyPair.generate()
    )
    did = did_key_for(pair.public_key)
    out = {"did": did, "didDocument": resolve_did_key(did)}
    if not args.seed_hex:
        out["seedHex"] = pair.seed.hex()
    print_json(out)
    return 0
