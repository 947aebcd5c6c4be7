"""Kept so that ``civid.issuer.domain.keys`` still imports; the transactions are :mod:`civid.service.db.tx`."""

from civid.service.db.tx import joined, read, write

__all__ = ["joined", "read", "write"]
