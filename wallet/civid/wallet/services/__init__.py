"""The wallet's use cases, shared by the Textual app and the headless ``civid wallet`` commands.

Modules here import grpc (through :mod:`civid.wallet.clients`) only inside the functions that call a
service, so opening the app stays fast.
"""
