"""civid.core — the credential machinery shared by the issuer, the verifier and the wallet.

JSON-LD (offline, safe mode), RDFC-1.0 / JCS canonicalization, Data Integrity proofs (eddsa-rdfc-2022,
eddsa-jcs-2022, Ed25519Signature2020 verify-only), keys and DIDs, Bitstring Status Lists and
presentations. This package never imports grpc or textual.
"""
