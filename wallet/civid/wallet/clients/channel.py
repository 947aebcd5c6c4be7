"""Opening a gRPC channel from the wallet's settings (TLS on or off, optional CA file)."""

from __future__ import annotations

from pathlib import Path

import grpc

from civid.core.errors import CividError, ErrorCode

MAX_MESSAGE_BYTES = 8 * 1024 * 1024


def open_channel(address: str, *, tls: bool, ca_file: Path | None) -> grpc.aio.Channel:
    """An async channel to ``address``; with ``tls`` the CA file (or the system roots) is trusted."""
    options = [
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ]
    if not tls:
        return grpc.aio.insecure_channel(address, options=options)
    roots = _read_ca(ca_file) if ca_file else None
    return grpc.aio.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=roots), options)


def _read_ca(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CividError(
            ErrorCode.INVALID_SETTING, f"cannot read the CA file {path}: {exc.strerror}; check Settings"
        ) from exc
