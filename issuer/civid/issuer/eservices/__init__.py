"""Civil-registry e-services: RPC handlers plugged into the issuer's servicers.

:func:`handlers` returns every e-service handler; :func:`civid.issuer.app.IssuerApp.register` takes
them as ``extra_handlers`` (see :mod:`civid.issuer.service.servicers`).
"""

from __future__ import annotations

from civid.issuer.app import IssuerApp
from civid.issuer.service.runner import DomainRunner


def handlers(app: IssuerApp, run: DomainRunner) -> list[object]:
    """Every e-service handler instance, sharing ``run``."""
    from civid.issuer.eservices.address_change_rpcs import AddressChangeRpcs
    from civid.issuer.eservices.appointment_rpcs import (
        AppointmentDeskRpcs,
        AppointmentRpcs,
        AppointmentSource,
    )
    from civid.issuer.eservices.certified_copy_rpcs import CertifiedCopyRpcs
    from civid.issuer.eservices.house_number_rpcs import (
        HouseNumberDeskRpcs,
        HouseNumberRpcs,
        HouseNumberSource,
    )
    from civid.issuer.eservices.watch import AddressChangeSource, CitizenRequestWatch, RequestSource

    address_changes = AddressChangeRpcs(app, run)
    houses = HouseNumberRpcs(app, run)
    bookings = AppointmentRpcs(app, run)
    sources: list[RequestSource] = [
        AddressChangeSource(address_changes.changes),
        HouseNumberSource(houses.applications),
        AppointmentSource(bookings.appointments),
    ]
    return [
        address_changes,
        CertifiedCopyRpcs(app, run),
        CitizenRequestWatch(app, run, sources),
        houses,
        HouseNumberDeskRpcs(houses.applications, app, run),
        bookings,
        AppointmentDeskRpcs(bookings.appointments, app, run),
    ]
