"""`civid` — one command for every program: issuer, verifier, wallet, credential tools and the demo.

Program subcommands are imported only when used, so `civid credential verify` never loads torch or
Textual, and a verifier-only install works without them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# subcommand -> (module, help). Each module has `add_arguments(parser)` and `run(args) -> int`.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "credential": ("civid.cli.credential", "sign and verify credentials and presentations offline"),
    "did": ("civid.cli.did", "create and print DIDs"),
    "issuer": ("civid.issuer.cli", "run and administer the issuer (enrollment, credentials, officer desk)"),
    "verifier": ("civid.verifier.cli", "run and administer the verifier (relying parties, policies)"),
    "wallet": ("civid.wallet.cli", "the citizen's wallet: the TUI, or headless subcommands"),
    "certs": ("civid.cli.certs", "create a local CA and server/client certificates for trying TLS and mTLS"),
    "demo": ("civid.cli.demo", "run the whole journey: enrol, present to an airline and a consulate, revoke"),
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civid", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == wanted:  # import only the module that will run
            module = importlib.import_module(module_name)
            module.add_arguments(sub_parser)
            sub_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help()
        return 2
    return int(run(args))


if __name__ == "__main__":
    sys.exit(main())
