"""Async gRPC clients for the issuer and the verifier (generated stubs only; grpc is imported here)."""
