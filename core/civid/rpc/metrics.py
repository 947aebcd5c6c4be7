"""Prometheus metrics (text exposition format) for the servers.

Each process registers the same metric names; ``serve_metrics(port)`` exposes them over HTTP. The
labelled children a call updates are looked up once per label set and kept (a bounded cache).
"""

from __future__ import annotations

import functools
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

REGISTRY = CollectorRegistry(auto_describe=True)
LABEL_SETS_KEPT: Final = 4096

RPC_TOTAL = Counter(
    "civid_rpc_total", "gRPC calls by method and status code", ["method", "code"], registry=REGISTRY
)
RPC_SECONDS = Histogram(
    "civid_rpc_duration_seconds",
    "gRPC call latency",
    ["method"],
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
VERIFICATIONS = Counter(
    "civid_verifications_total",
    "presentation verifications by outcome",
    ["policy", "outcome"],
    registry=REGISTRY,
)
ENROLLMENTS = Counter(
    "civid_enrollments_total", "enrollment attempts by outcome", ["outcome"], registry=REGISTRY
)


@functools.lru_cache(maxsize=LABEL_SETS_KEPT)
def _rpc_total(method: str, code: str) -> Counter:
    return RPC_TOTAL.labels(method, code)


@functools.lru_cache(maxsize=LABEL_SETS_KEPT)
def _rpc_seconds(method: str) -> Histogram:
    return RPC_SECONDS.labels(method)


@functools.lru_cache(maxsize=LABEL_SETS_KEPT)
def _verifications(policy: str, outcome: str) -> Counter:
    return VERIFICATIONS.labels(policy, outcome)


def observe_rpc(method: str, code: str, seconds: float) -> None:
    _rpc_total(method, code).inc()
    _rpc_seconds(method).observe(seconds)


def count_verification(policy: str, verified: bool) -> None:
    _verifications(policy, "verified" if verified else "failed").inc()


def serve_metrics(host: str, port: int) -> None:
    """Expose /metrics on host:port in a background thread."""
    start_http_server(port, addr=host, registry=REGISTRY)
