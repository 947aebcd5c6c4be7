"""DIDs and controller documents: did:key, did:web, parsing, and an offline resolver."""
