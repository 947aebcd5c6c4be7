"""Headless `civid wallet house …` and `civid wallet book …` (e-services part B); JSON on stdout.

civid wallet house apply --sub-district S --district D --province P --postal-code N
                         [--moo M] [--village V] [--soi S] [--road R] [--lat X --lon Y]
                         --plot DEED --permit PERMIT [--photo FILE]...
civid wallet house list | cancel ID | collect ID      collect: hold the house credential once approved
civid wallet book offices [--province P]              district offices taking appointments
civid wallet book slots --office ID --service NAME    free slots for a service (ID_CARD, ...)
civid wallet book book SLOT_ID                        book; the signed ticket is held in the wallet
civid wallet book list | cancel ID
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final


def add_arguments(sub: Any) -> None:
    _add_house(sub)
    _add_book(sub)


def _add_house(sub: Any) -> None:
    house = sub.add_parser("house", help="a house number for a newly built house (ขอเลขที่บ้าน)")
    steps = house.add_subparsers(dest="house_action", metavar="STEP", required=True)
    apply = steps.add_parser("apply", help="apply for a house number; an officer decides")
    for flag, text in (
        ("--sub-district", "the sub-district (ตำบล/แขวง)"),
        ("--district", "the district (อำเภอ/เขต)"),
        ("--province", "the province (จังหวัด)"),
        ("--postal-code", "the 5-digit postal code"),
        ("--plot", "the land title deed number (เลขที่โฉนด)"),
        ("--permit", "the building permit number (เลขที่ใบอนุญาตก่อสร้าง)"),
    ):
        apply.add_argument(flag, required=True, help=text)
    for flag, text in (
        ("--moo", "the village number (หมู่)"),
        ("--village", "the village or housing estate name"),
        ("--soi", "the lane (ซอย)"),
        ("--road", "the road (ถนน)"),
    ):
        apply.add_argument(flag, default="", help=text)
    apply.add_argument("--lat", type=float, default=0.0, help="WGS 84 latitude")
    apply.add_argument("--lon", type=float, default=0.0, help="WGS 84 longitude")
    apply.add_argument(
        "--photo", type=Path, action="append", default=[], help="a JPEG or PNG photo (up to 5)"
    )
    steps.add_parser("list", help="your applications")
    for name, text in (
        ("cancel", "withdraw an application while it waits for an officer"),
        ("collect", "hold the house-registration credential once approved"),
    ):
        steps.add_parser(name, help=text).add_argument("id", help="the application id (hn_…)")


def _add_book(sub: Any) -> None:
    book = sub.add_parser("book", help="book a service at a district office (ขอรับบริการล่วงหน้า)")
    steps = book.add_subparsers(dest="book_action", metavar="STEP", required=True)
    steps.add_parser("offices", help="offices taking appointments").add_argument(
        "--province", default="", help="only offices in this province (Thai name)"
    )
    slots = steps.add_parser("slots", help="free slots for a service at an office")
    slots.add_argument("--office", required=True, help="the office id (see `book offices`)")
    slots.add_argument("--service", required=True, help="ID_CARD, DIGITAL_ID, ADDRESS_CHANGE, ...")
    steps.add_parser("book", help="book a slot; the ticket is held in the wallet").add_argument(
        "slot_id", help="the slot id (see `book slots`)"
    )
    steps.add_parser("list", help="your appointments")
    steps.add_parser("cancel", help="cancel an appointment (its ticket is revoked)").add_argument(
        "id", help="the appointment id (ap_…)"
    )


def _house(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.cli import _open, _print, _Secrets
    from civid.wallet.services import eservices_b as es

    wallet = _open(store, _Secrets())
    action = args.house_action
    if action == "apply":
        photos = es.read_photos(args.photo)
        result: Any = asyncio.run(es.apply_house_number(wallet, _new_house(args), photos))
    elif action == "list":
        result = asyncio.run(es.list_house_applications(wallet))
    elif action == "cancel":
        result = asyncio.run(es.cancel_house_application(wallet, args.id))
    else:
        held = asyncio.run(es.collect_house_credential(wallet, args.id))
        subject = held.subject
        result = {"id": held.id, "types": list(held.types), "houseCode": subject.get("houseCode")}
    _print(result)
    return 0


def _new_house(args: argparse.Namespace) -> Any:
    from civid.wallet.services.eservices_b import NewHouse

    return NewHouse(
        sub_district=args.sub_district,
        district=args.district,
        province=args.province,
        postal_code=args.postal_code,
        land_title_number=args.plot,
        building_permit_number=args.permit,
        moo=args.moo,
        village=args.village,
        soi=args.soi,
        road=args.road,
        latitude=args.lat,
        longitude=args.lon,
    )


def _book(args: argparse.Namespace, store: Path) -> int:
    from civid.wallet.cli import _open, _print, _Secrets
    from civid.wallet.services import eservices_b as es

    wallet = _open(store, _Secrets())
    action = args.book_action
    if action == "offices":
        result: Any = asyncio.run(es.list_offices(wallet, args.province))
    elif action == "slots":
        result = asyncio.run(es.list_slots(wallet, args.office, args.service))
    elif action == "book":
        result, _held = asyncio.run(es.book(wallet, args.slot_id))
    elif action == "list":
        result = asyncio.run(es.list_bookings(wallet))
    else:
        result = asyncio.run(es.cancel_booking(wallet, args.id))
    _print(result)
    return 0


HANDLERS: Final[dict[str, Callable[[argparse.Namespace, Path], int]]] = {"house": _house, "book": _book}
