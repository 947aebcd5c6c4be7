"""The Textual wallet: a thin App, one module per screen, widgets, typed messages and labels."""
