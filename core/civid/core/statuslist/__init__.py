"""Bitstring Status List v1.0: the bitstring, list credentials and status entries."""
