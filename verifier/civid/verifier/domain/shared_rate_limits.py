"""Relying-party rate limits shared by every verifier process through Redis.

:class:`RedisRateLimiter` is :class:`~civid.verifier.domain.admission.RateLimiter` with its token
buckets in Redis: every process (and host) using the same server and ``prefix`` takes from the same
bucket, so a relying party gets its rate once, not once per process. Each call is one round trip: a
Lua script (:data:`TAKE_SCRIPT`) refills and takes atomically on the server, timed by Redis's own
clock so that hosts whose clocks disagree still agree on the bucket.
"""

from __future__ import annotations

from typing import Final

from redis import Redis

from civid.verifier.domain.admission import check_default_limits, rate_limited
from civid.verifier.domain.shared_store import reaching

# How long an idle bucket outlives the time it takes to refill from empty (after that it is full, the
# same as a new one, so dropping it changes nothing), and the longest expiry whatever the limits (a
# bucket with a very low rate is forgotten after a week idle, full again as a forgotten key is in
# the in-process limiter).
EXPIRY_MARGIN_MS: Final = 1_000
MAX_EXPIRY_MS: Final = 7 * 24 * 3600 * 1000

# KEYS[1]: the bucket, a hash {tokens, updated (Redis's clock, seconds)}.
# ARGV: rate (calls per second), burst, EXPIRY_MARGIN_MS, MAX_EXPIRY_MS.
# Returns the seconds to wait as a string, "0" when a token was taken: a Lua number returned to Redis
# becomes an integer, dropping the fraction. Numbers are stored with %.17g, which reads back as the
# same double (Lua's own tostring keeps 14 digits, too few for a timestamp with microseconds).
# TIME is non-deterministic; Redis >= 5 replicates a script's writes, not the script, so that is safe
# (Redis >= 6.2 is needed anyway, for the nonces' GETDEL).
TAKE_SCRIPT: Final = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(saved[1])
local updated = tonumber(saved[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
-- a clock that stepped back (another host after a failover) refills nothing rather than take tokens
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'updated', string.format('%.17g', now))
local expiry = math.min(math.ceil(burst / rate * 1000) + tonumber(ARGV[3]), tonumber(ARGV[4]))
redis.call('PEXPIRE', KEYS[1], string.format('%d', expiry))
return string.format('%.17g', wait)
"""


class RedisRateLimiter:
    """Token buckets by key (a relying-party id) in Redis, one hash per key at ``prefix + key``.

    Same answers as :class:`~civid.verifier.domain.admission.RateLimiter`: ``rate`` and ``burst`` are
    the defaults, a call may give its key's own limits instead, and a bucket keeps only its tokens,
    so changed limits apply from the first call that gives them (a lower burst caps the tokens saved
    up at once, a new rate refills the time since the key's previous call). A bucket expires once idle
    long enough to be full again, so Redis holds only the buckets of recent callers.

    Each call is blocking network I/O: from asyncio code, call it in a thread. A Redis out of reach is
    refused with SHARED_STORE_UNAVAILABLE (:mod:`.shared_store`); other Redis errors propagate.
    """

    def __init__(self, client: Redis, prefix: str, rate: float, burst: float) -> None:
        check_default_limits(rate, burst)
        self._prefix = prefix
        self._rate = rate
        self._burst = burst
        self._take = client.register_script(TAKE_SCRIPT)  # EVALSHA, loading the script when missing

    @classmethod
    def from_url(cls, url: str, prefix: str, rate: float, burst: float) -> RedisRateLimiter:
        return cls(Redis.from_url(url), prefix, rate, burst)

    def try_take(self, key: str, rate: float | None = None, burst: float | None = None) -> float:
        """Take one token: 0.0 when allowed, else the seconds until one is available.

        ``rate`` and ``burst``: this key's own limits (valid ones, see
        :func:`~civid.verifier.domain.admission.check_rate_limit`); None: the limiter's defaults."""
        if rate is None or burst is None:
            rate, burst = self._rate, self._burst
        args = [float(rate), float(burst), EXPIRY_MARGIN_MS, MAX_EXPIRY_MS]
        with reaching("rate limits"):
            return float(self._take(keys=[self._prefix + key], args=args))

    def check(self, key: str, rate: float | None = None, burst: float | None = None) -> None:
        """Take one token or raise RATE_LIMITED with the time to retry (limits as for :meth:`try_take`)."""
        wait = self.try_take(key, rate, burst)
        if wait > 0:
            raise rate_limited(wait)
