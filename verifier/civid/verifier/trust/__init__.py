"""Trust: which issuers the verifier believes, their pinned DID documents, their status lists."""
