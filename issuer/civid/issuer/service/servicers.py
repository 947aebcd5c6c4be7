"""Servicers composed of handler objects, so each group of RPCs lives in its own module.

A handler is any object with async methods named after RPCs (``StartEnrollment(request, context)``).
:func:`compose` builds a servicer of the generated base class whose RPCs are the first handler's
method of that name; RPCs no handler defines keep the generated default (UNIMPLEMENTED).

E-services plug in here: write ``civid.issuer.eservices`` handler classes (e.g. ``AddressChangeRpcs(app,
run)``) and pass instances as ``extra_handlers`` to :func:`register_services` (IssuerService and
OfficerService RPCs alike: each handler method is matched by name against both services).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import grpc
from google.protobuf.descriptor import ServiceDescriptor

from civid.issuer.app import IssuerApp
from civid.issuer.service.issuer_rpcs import EnrollmentRpcs, HolderRpcs, PublicRpcs
from civid.issuer.service.officer_rpcs import OfficerDeskRpcs
from civid.issuer.service.runner import DomainRunner
from civid.issuer.v1 import (
    issuer_service_pb2,
    issuer_service_pb2_grpc,
    officer_service_pb2,
    officer_service_pb2_grpc,
)

S = TypeVar("S")
ISSUER_SERVICE: ServiceDescriptor = issuer_service_pb2.DESCRIPTOR.services_by_name["IssuerService"]
OFFICER_SERVICE: ServiceDescriptor = officer_service_pb2.DESCRIPTOR.services_by_name["OfficerService"]


def compose(base: Callable[[], S], service: ServiceDescriptor, handlers: Sequence[object]) -> S:
    """An instance of ``base`` whose RPC methods are taken from ``handlers`` (first one wins)."""
    servicer = base()
    for method in service.methods:
        for handler in handlers:
            implementation = getattr(handler, method.name, None)
            if implementation is not None:
                setattr(servicer, method.name, implementation)
                break
    return servicer


def core_handlers(app: IssuerApp, run: DomainRunner) -> list[object]:
    return [EnrollmentRpcs(app, run), PublicRpcs(app, run), HolderRpcs(app, run), OfficerDeskRpcs(app, run)]


def register_services(
    app: IssuerApp, server: grpc.aio.Server, extra_handlers: Sequence[object] = ()
) -> list[str]:
    """Add IssuerService and OfficerService to ``server``; their full names."""
    run = DomainRunner()
    handlers = [*core_handlers(app, run), *extra_handlers]
    issuer = compose(issuer_service_pb2_grpc.IssuerServiceServicer, ISSUER_SERVICE, handlers)
    officer = compose(officer_service_pb2_grpc.OfficerServiceServicer, OFFICER_SERVICE, handlers)
    issuer_service_pb2_grpc.add_IssuerServiceServicer_to_server(issuer, server)
    officer_service_pb2_grpc.add_OfficerServiceServicer_to_server(officer, server)
    return [ISSUER_SERVICE.full_name, OFFICER_SERVICE.full_name]
