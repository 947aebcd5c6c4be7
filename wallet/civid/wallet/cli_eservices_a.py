"""Headless `civid wallet move …` and `civid wallet copy …` (e-services part A); JSON on stdout.

civid wallet move request --house 10050999999     ask to move into a house
civid wallet move list                            requests where you are the applicant or the owner
civid wallet move consent|cancel ID               as the owner: consent; either side: cancel
civid wallet move refuse ID [--reason TEXT]       as the owner: refuse
civid wallet move collect ID                      after the move: hold the re-issued card
civid wallet copy household|birth [--to FILE] [--html FILE]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final


def add_arguments(sub: Any) -> None:
    move = sub.add_parser("move", help="move house with the owner's consent (แจ้งย้ายที่อยู่)")
    steps = move.add_subparsers(dest="move_action", metavar="STEP", required=True)
    steps.add_parser("request", help="ask to move into a house").add_argument(
        "--house", required=True, help="the 11-digit house code"
    )
    steps.add_parser("list", help="your requests, as applicant or house owner")
    for name, text in (
        ("consent", "as the house owner: consent"),
        ("cancel", "cancel a pending request"),
        ("collect", "hold the re-issued card after the move"),
    ):
        steps.add_parser(name, help=text).add_argument("id", help="the request id (ac_…)")
    refuse = steps.add_parser("refuse", help="as the house owner: refuse")
    refuse.add_argument("id")
    refuse.add_argument("--reason", default="", help="shown to the applicant")
    copy = sub.add_parser("copy", help="a certified copy of a civil-registration record (คัดรับรองเอกสาร)")
    copy.add_argument("record", choices=("household", "birth"))
    copy.add_argument("--to", type=Path, help="also write the credential JSON to this file")
    copy.add_argument("--html", type=Path, help="also write a printable HTML page with a QR code")


def _move(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.cli import _open, _print, _Secrets
    from civid.wallet.services import eservices_a as es

    wallet = _open(store, _Secrets())
    action = args.move_action
    if action == "request":
        result: Any = asyncio.run(es.request_move(wallet, args.house))
    elif action == "list":
        result = asyncio.run(es.list_moves(wallet))
    elif action == "refuse":
        result = asyncio.run(es.refuse_move(wallet, args.id, args.reason))
    elif action == "collect":
        held = asyncio.run(es.collect_moved_card(wallet, args.id))
        result = {"id": held.id, "address": held.document["credentialSubject"].get("address")}
    else:
        call = {"consent": es.consent_move, "cancel": es.cancel_move}[action]
        result = asyncio.run(call(wallet, args.id))
    _print(result)
    return 0


def _copy(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.cli import _open, _print, _Secrets
    from civid.wallet.services import eservices_a as es

    wallet = _open(store, _Secrets())
    held, reference = asyncio.run(es.request_copy(wallet, args.record))
    out: dict[str, Any] = {"id": held.id, "types": list(held.types), "verificationReference": reference}
    if args.to:
        out["file"] = str(es.write_copy_json(held, args.to))
    if args.html:
        out["html"] = str(es.write_copy_html(held, args.html))
    _print(out)
    return 0


HANDLERS: Final[dict[str, Callable[[argparse.Namespace, Path], int]]] = {"move": _move, "copy": _copy}
