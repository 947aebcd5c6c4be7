"""`civid wallet`: the Textual app, or headless subcommands for scripts and the demo.

Headless commands print JSON on stdout. Secrets come from the environment or stdin, one per line:
the PIN from ``CIVID_WALLET_PIN``, a backup passphrase from ``CIVID_WALLET_BACKUP_PASSPHRASE`` (the PIN
when unset). Exit codes: 0 done; 1 refused or failed (a JSON error on stderr); 2 bad usage;
4 the verifier checked the presentation and rejected it (the outcome is still printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from civid.core.errors import CividError

PASSPHRASE_ENV: Final = "CIVID_WALLET_BACKUP_PASSPHRASE"
EXIT_REJECTED: Final = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, default=None, help="the wallet directory ($CIVID_WALLET_DIR)")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    init = sub.add_parser("init", help="create a wallet: a holder key and a store sealed under the PIN")
    init.add_argument("--issuer", help="issuer address host:port")
    init.add_argument("--verifier", help="default verifier address host:port")
    init.add_argument("--tls", action="store_true", help="use TLS for both services")
    init.add_argument("--ca-file", type=Path, help="CA certificate (PEM) to trust with --tls")
    init.add_argument("--language", choices=("th", "en"), help="labels in Thai or English")
    enrol = sub.add_parser("enrol", help="enrol with the issuer and receive the national ID credential")
    enrol.add_argument("--issuer", help="issuer address (saved in the settings)")
    enrol.add_argument("--national-id", required=True, help="13 digits, dashes allowed")
    enrol.add_argument("--laser-code", required=True, help="the code on the back of the card")
    enrol.add_argument("--selfie", type=Path, required=True, help="a JPEG or PNG photo of your face")
    sub.add_parser("show", help="print the held credentials and their claims")
    present = sub.add_parser("present", help="answer a presentation request")
    source = present.add_mutually_exclusive_group(required=True)
    source.add_argument("--request", help="the request string (civid-pr:v1:...)")
    source.add_argument("--request-file", type=Path, help="a file holding the request string")
    present.add_argument("--yes", action="store_true", help="consent without asking")
    present.add_argument("--decline", action="store_true", help="decline: nothing is sent")
    present.add_argument("--save-vp", type=Path, help="also write the signed presentation to this file")
    sub.add_parser("history", help="print every disclosure, newest first")
    backup = sub.add_parser("backup", help="write an encrypted backup")
    backup.add_argument("--to", type=Path, required=True, help="the backup file to create")
    restore = sub.add_parser("restore", help="recreate the wallet from a backup into --store")
    restore.add_argument("--from", dest="source", type=Path, required=True, help="the backup file")
    sub.add_parser("status", help="refresh the card's status from the issuer's status list")
    sub.add_parser("receive", help="fetch credentials a district office bound to this wallet (new device)")
    export = sub.add_parser("export", help="write a held credential's JSON to a file")
    export.add_argument("--to", type=Path, required=True)
    export.add_argument("--credential", help="credential id (default: the national ID card)")
    from civid.wallet import cli_eservices_a, cli_eservices_b

    cli_eservices_a.add_arguments(sub)
    cli_eservices_b.add_arguments(sub)


def run(args: argparse.Namespace) -> int:
    from civid.wallet.services.config import default_store_dir

    store = args.store or default_store_dir()
    if args.action is None:
        return _run_app(store)
    from civid.wallet.cli_eservices_a import HANDLERS as ESERVICES_A
    from civid.wallet.cli_eservices_b import HANDLERS as ESERVICES_B

    handler = {**_HANDLERS, **ESERVICES_A, **ESERVICES_B}[args.action]
    try:
        return handler(args, store)
    except CividError as exc:
        error = {"error": {"code": exc.code.value, "message": exc.message}}
        sys.stderr.write(json.dumps(error, ensure_ascii=False) + "\n")
        return 1


def _run_app(store: Path) -> int:
    from civid.wallet.tui.app import WalletApp

    WalletApp(store).run()
    return 0


class _Secrets:
    """Secrets from the environment, else the next stdin line."""

    def __init__(self) -> None:
        self._lines: list[str] | None = None

    def get(self, env: str, fallback: str | None = None) -> str:
        value = os.environ.get(env)
        if value is not None:
            return value
        if fallback is not None:
            return os.environ.get(fallback) or self._next_line()
        return self._next_line()

    def _next_line(self) -> str:
        if self._lines is None:
            self._lines = [] if sys.stdin.isatty() else sys.stdin.read().splitlines()
        if not self._lines:
            raise SystemExit("no PIN given: set CIVID_WALLET_PIN or write it on stdin")
        return self._lines.pop(0).strip()


def _pin(secrets: _Secrets) -> str:
    from civid.wallet.services.config import PIN_ENV

    return secrets.get(PIN_ENV)


def _open(store: Path, secrets: _Secrets) -> Any:
    from civid.wallet.services.lifecycle import open_wallet

    return open_wallet(store, _pin(secrets))


def _print(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _init(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.domain import WalletSettings
    from civid.wallet.services.lifecycle import init_wallet

    given = {
        "issuer_address": args.issuer,
        "verifier_address": args.verifier,
        "tls": args.tls or None,
        "ca_file": args.ca_file,
        "language": args.language,
    }
    settings = WalletSettings(**{k: v for k, v in given.items() if v is not None})
    wallet = init_wallet(store, _pin(_Secrets()), settings)
    _print({"store": str(store), "holderDid": wallet.holder_did})
    return 0


def _enrol(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.services.enrol import enrol, read_selfie
    from civid.wallet.services.records import credential_json

    wallet = _open(store, _Secrets())
    if args.issuer:
        wallet.update_settings(issuer_address=args.issuer)
    selfie = read_selfie(args.selfie)
    held = asyncio.run(enrol(wallet, args.national_id, args.laser_code, selfie, progress=_progress))
    _print(credential_json(held))
    return 0


def _progress(step: str) -> None:
    sys.stderr.write(f"… {step}\n")


def _show(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.services.records import wallet_json

    _print(wallet_json(_open(store, _Secrets())))
    return 0


def _present(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.services import present

    wallet = _open(store, _Secrets())
    text = args.request if args.request else _read_text(args.request_file)
    consent = asyncio.run(present.fetch_request(wallet, text))
    if args.decline or not (args.yes or _ask(consent, wallet)):
        present.decline(wallet, consent)
        _print({"requestId": consent.request_id, "outcome": "declined"})
        return 0
    outcome = asyncio.run(present.approve(wallet, consent, _vp_saver(args.save_vp)))
    _print(outcome.to_json())
    return 0 if outcome.verified else EXIT_REJECTED


def _vp_saver(path: Path | None) -> Callable[[dict[str, Any]], None] | None:
    if path is None:
        return None

    def save(vp: dict[str, Any]) -> None:
        path.write_text(json.dumps(vp, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    return save


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SystemExit(f"cannot read {path}: {exc.strerror}") from exc


def _ask(consent: Any, wallet: Any) -> bool:
    if not sys.stdin.isatty():
        raise SystemExit("give --yes (or --decline) when not at a terminal")
    language = wallet.settings().language
    claims = ", ".join(c.label.pick(language) or c.name for c in consent.claims)
    sys.stderr.write(
        f"{consent.relying_party.pick(language)} asks for: {claims}\n"
        f"purpose: {consent.purpose.pick(language)}\nshare? [y/N] "
    )
    return input().strip().lower() in ("y", "yes")


def _history(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.services.records import history_json

    _print(history_json(_open(store, _Secrets())))
    return 0


def _backup(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.services.config import PIN_ENV
    from civid.wallet.services.records import backup_wallet

    secrets = _Secrets()
    wallet = _open(store, secrets)
    passphrase = os.environ.get(PASSPHRASE_ENV) or os.environ.get(PIN_ENV) or _pin(secrets)
    backup_wallet(wallet, args.to, passphrase)
    _print({"backup": str(args.to)})
    return 0


def _restore(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.services.lifecycle import restore_wallet

    secrets = _Secrets()
    new_pin = _pin(secrets)
    passphrase = os.environ.get(PASSPHRASE_ENV) or new_pin
    wallet = restore_wallet(args.source, passphrase, store, new_pin)
    _print({"store": str(store), "holderDid": wallet.holder_did, "credentials": len(wallet.credentials())})
    return 0


def _status(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.services.status import refresh_status

    held = asyncio.run(refresh_status(_open(store, _Secrets())))
    checked = held.status.checked_at.isoformat() if held.status.checked_at else None
    _print({"id": held.id, "state": held.status.state.value, "checkedAt": checked})
    return 0


def _receive(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.services.receive import receive_credentials

    received = asyncio.run(receive_credentials(_open(store, _Secrets())))
    _print({"received": [{"id": held.id, "type": held.primary_type} for held in received]})
    return 0


def _export(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.services.records import export_credential
    from civid.wallet.services.status import main_credential

    wallet = _open(store, _Secrets())
    held = wallet.credential(args.credential) if args.credential else main_credential(wallet)
    _print({"exported": str(export_credential(held, args.to))})
    return 0


_HANDLERS: Final[dict[str, Callable[[argparse.Namespace, Path], int]]] = {
    "init": _init,
    "enrol": _enrol,
    "show": _show,
    "present": _present,
    "history": _history,
    "backup": _backup,
    "restore": _restore,
    "status": _status,
    "receive": _receive,
    "export": _export,
}
