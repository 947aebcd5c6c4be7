"""The pieces of ``civid demo``: processes, the officer desk, relying parties, the headless wallet."""
