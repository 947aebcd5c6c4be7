"""The verifier's domain layer: relying parties, policies, nonces, status lists, claim release, admission.

Nothing here imports grpc; the service door maps :class:`~civid.verifier.domain.errors.DomainError` and
:class:`civid.core.errors.CividError` to gRPC statuses.
"""
