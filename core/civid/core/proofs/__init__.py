"""Data Integrity proofs: cryptosuites, proof creation, proof sets and chains, verification."""
