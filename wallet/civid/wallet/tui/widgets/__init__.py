"""Widgets of the wallet app."""
