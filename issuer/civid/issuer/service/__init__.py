"""The issuer's gRPC door: thin servicers that validate, call the domain, and map errors."""
