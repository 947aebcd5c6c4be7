"""Verifier configuration files: policies and relying parties (TOML), validated at start."""
