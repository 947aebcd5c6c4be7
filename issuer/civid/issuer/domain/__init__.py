"""The issuer's domain: enrollment, issuance, credential lifecycle, status lists, keys, officer auth.

Nothing here imports grpc; failures are :class:`civid.issuer.domain.errors.IssuerFailure` values
(a :class:`civid.core.errors.CividError` with metadata) that the service layer maps to statuses.
"""
