"""The verifier's shared store (Redis, for nonces and rate limits) out of reach: a clear refusal.

A Redis that cannot be reached (connection refused or lost, a timeout) is not a bug of the call: it
is refused with SHARED_STORE_UNAVAILABLE (gRPC UNAVAILABLE) and a time to retry, instead of an
unexplained UNKNOWN. Any other Redis error (a script or protocol error) is left to propagate: that
one is a bug, logged as such.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from civid.verifier.domain.errors import DomainErrorCode, RetryableError

RETRY_AFTER_S: Final = 1.0


@contextmanager
def reaching(what: str) -> Iterator[None]:
    """Run the block's Redis calls; SHARED_STORE_UNAVAILABLE (naming ``what``) when Redis is out of reach."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise RetryableError(
            DomainErrorCode.SHARED_STORE_UNAVAILABLE,
            f"the verifier cannot reach its shared store (Redis) for {what}; try again shortly",
            RETRY_AFTER_S,
        ) from exc
