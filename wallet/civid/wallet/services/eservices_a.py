"""E-services, part A, as the wallet uses them: moving house with the owner's consent, and certified
copies of civil-registration records (held in the wallet, exported as a file or a printable page).

Every call is authenticated by a fresh HolderProof of the wallet's key (audience: the issuer's DID).
Results are plain JSON-ready dictionaries for the headless commands and the TUI.
"""

from __future__ import annotations

import hashlib
import html
import json
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, Final

from google.protobuf.json_format import MessageToDict

from civid.core.errors import CividError, ErrorCode
from civid.issuer.v1 import address_change_pb2 as acpb
from civid.issuer.v1 import certified_copy_pb2 as ccpb
from civid.wallet.domain import HeldCredential, Wallet
from civid.wallet.services.issuer_session import IssuerSession

RECORD_TYPES: Final = {
    "household": ccpb.CERTIFIED_RECORD_TYPE_HOUSEHOLD_EXTRACT,
    "birth": ccpb.CERTIFIED_RECORD_TYPE_BIRTH_RECORD,
}


def address_change_json(change: acpb.AddressChange) -> dict[str, Any]:
    """An AddressChange as JSON (proto3 JSON names; enum values by name)."""
    return MessageToDict(change, preserving_proto_field_name=False)


# --- address change ------------------------------------------------------------------------


async def request_move(wallet: Wallet, house_code: str) -> dict[str, Any]:
    """Ask to move into the house ``house_code``; the request, PENDING_CONSENT."""
    request_id = uuid.uuid4().hex
    async with IssuerSession(wallet) as s:
        proof = s.proof("CreateAddressChange", {"houseCode": house_code, "requestId": request_id})
        return address_change_json(await s.client.create_address_change(proof, house_code, request_id))


async def list_moves(wallet: Wallet) -> list[dict[str, Any]]:
    """Every address change where this wallet's holder is the applicant or the house owner."""
    async with IssuerSession(wallet) as s:
        changes = await s.client.list_address_changes(s.proof("ListAddressChanges", {}))
    return [address_change_json(c) for c in changes]


async def consent_move(wallet: Wallet, change_id: str) -> dict[str, Any]:
    """As the house owner: consent (the holder key signs the consent)."""
    async with IssuerSession(wallet) as s:
        proof = s.proof("ConsentAddressChange", {"addressChangeId": change_id})
        return address_change_json(await s.client.consent_address_change(proof, change_id))


async def refuse_move(wallet: Wallet, change_id: str, reason: str) -> dict[str, Any]:
    async with IssuerSession(wallet) as s:
        proof = s.proof("RefuseAddressChange", {"addressChangeId": change_id, "reason": reason})
        return address_change_json(await s.client.refuse_address_change(proof, change_id, reason))


async def cancel_move(wallet: Wallet, change_id: str) -> dict[str, Any]:
    async with IssuerSession(wallet) as s:
        proof = s.proof("CancelAddressChange", {"addressChangeId": change_id})
        return address_change_json(await s.client.cancel_address_change(proof, change_id))


async def collect_moved_card(wallet: Wallet, change_id: str) -> HeldCredential:
    """As the applicant, after the move: fetch the re-issued card and hold it instead of the old one."""
    async with IssuerSession(wallet) as s:
        change = await s.client.get_address_change(
            s.proof("GetAddressChange", {"addressChangeId": change_id}), change_id
        )
        if change.state != acpb.ADDRESS_CHANGE_STATE_COMPLETED or not change.new_credential_id:
            state = acpb.AddressChangeState.Name(change.state)
            raise CividError(ErrorCode.INVALID_STATE, f"the move is {state}, not completed")
        return await s.hold_issued(change.new_credential_id)


async def watch_requests(wallet: Wallet) -> AsyncIterator[dict[str, Any]]:
    """The holder's request events as JSON, as the issuer streams them (until cancelled)."""
    async with IssuerSession(wallet) as s:
        async for event in s.client.watch_citizen_requests(s.proof("WatchCitizenRequests", {})):
            yield MessageToDict(event)


# --- certified copies ----------------------------------------------------------------------


def verification_reference(credential_id: str, credential_json: str) -> str:
    """ "civid:copy:<uuid>:<16 hex of SHA-256 of the JSON text>", as the issuer makes it."""
    digest = hashlib.sha256(credential_json.encode("utf-8")).hexdigest()[:16]
    return f"civid:copy:{credential_id.removeprefix('urn:uuid:')}:{digest}"


def compact_json(document: Mapping[str, Any]) -> str:
    """The issuer's serialization of a credential (compact, UTF-8, key order kept)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


async def request_copy(wallet: Wallet, record: str) -> tuple[HeldCredential, str]:
    """A certified copy (``record``: "household" or "birth") held in the wallet, and its reference."""
    if record not in RECORD_TYPES:
        raise CividError(ErrorCode.FIELD_INVALID, "record must be 'household' or 'birth'")
    record_type = RECORD_TYPES[record]
    request_id = uuid.uuid4().hex
    params = {"recordType": ccpb.CertifiedRecordType.Name(record_type), "requestId": request_id}
    async with IssuerSession(wallet) as s:
        copy = await s.client.create_certified_copy(
            s.proof("CreateCertifiedCopy", params), record_type, request_id
        )
    held = wallet.add_credential(json.loads(copy.credential_json))
    return held, copy.verification_reference


def write_copy_json(held: HeldCredential, path: Path) -> Path:
    """The copy's credential as the issuer signed it (compact JSON, so its reference digest holds)."""
    path.write_text(compact_json(held.document), encoding="utf-8")
    return path


def qr_svg(text: str) -> str:
    """An inline SVG QR code of ``text``."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: str = image.to_string(encoding="unicode")
    return svg


def write_copy_html(held: HeldCredential, path: Path) -> Path:
    """A printable page: the copy's claims, its reference as text and as a QR code."""
    reference = verification_reference(held.id, compact_json(held.document))
    subject = held.document.get("credentialSubject", {})
    rows = "\n".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_text(v))}</td></tr>"
        for k, v in subject.items()
        if k not in ("id", "type")
    )
    title = html.escape(str(held.document.get("name", "Certified copy")))
    page = _PAGE.format(
        title=title,
        rows=rows,
        reference=html.escape(reference),
        qr=qr_svg(reference),
        issuer=html.escape(str(held.document.get("issuer", ""))),
    )
    path.write_text(page, encoding="utf-8")
    return path


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items() if k != "type")
    return str(value)


_PAGE: Final = """<!doctype html>
<html lang="th"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:48em;margin:2em auto}}th{{text-align:left;padding-right:1em}}
td,th{{vertical-align:top;border-bottom:1px solid #ccc}}.ref{{font-family:monospace}}</style></head>
<body><h1>{title}</h1><p>Issuer: {issuer}</p><table>
{rows}
</table><h2>Verification reference</h2><p class="ref">{reference}</p>{qr}
<p>Scan the code, ask the issuer for the credential's status and compare the digest with the document
shown.</p></body></html>
"""
