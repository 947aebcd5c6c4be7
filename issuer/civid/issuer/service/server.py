"""Run the issuer server until SIGTERM: JSON logs, metrics, the demo registry on first start."""

from __future__ import annotations

import logging

from civid.issuer.app import IssuerApp, load_demo_registry_if_empty
from civid.issuer.config import IssuerConfig
from civid.issuer.eservices import handlers
from civid.issuer.service.runner import DomainRunner
from civid.rpc.logs import configure_logging
from civid.rpc.metrics import serve_metrics
from civid.rpc.server import ServerSettings, TlsFiles, build_server, run_until_signalled

log = logging.getLogger("civid.issuer")


def server_settings(config: IssuerConfig) -> ServerSettings:
    tls = None
    if config.tls_cert is not None and config.tls_key is not None:
        tls = TlsFiles(config.tls_cert, config.tls_key, config.tls_client_ca)
    return ServerSettings(
        listen=config.listen,
        max_message_bytes=config.max_message_bytes,
        grace_seconds=config.grace_seconds,
        tls=tls,
    )


async def serve(config: IssuerConfig) -> None:
    configure_logging("issuer", config.log_level)
    app = IssuerApp.open(config)
    try:
        if config.demo_registry:
            load_demo_registry_if_empty(app)
        if config.metrics_listen:
            host, _, port = config.metrics_listen.rpartition(":")
            serve_metrics(host or "127.0.0.1", int(port))
        run = DomainRunner()
        built = build_server(server_settings(config), lambda server: app.register(server, handlers(app, run)))

        async def ready() -> None:
            log.info(
                "issuer serving",
                extra={"event": "serving", "port": built.port, "did": app.keys.did},
            )

        await run_until_signalled(built, config.grace_seconds, ready)
    finally:
        app.close()
