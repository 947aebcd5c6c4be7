"""Keys, signatures, multibase and passphrase-sealed boxes."""
