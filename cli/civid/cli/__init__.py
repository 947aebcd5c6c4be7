"""The `civid` command."""
