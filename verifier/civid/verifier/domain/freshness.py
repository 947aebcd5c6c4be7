"""How long a presentation stays acceptable, and so how long its challenge must be remembered.

A presentation passes ``presentation.proof.created`` while its proof's ``created`` time lies in
``(now - max_age - skew, now + skew]`` (``max_age``: the policy's ``presentation_max_age_s``;
``skew``: the verifier's ``clock_skew_s``). A relying party's challenge, first seen at ``t0``, is
remembered for :func:`challenge_memory_s` = ``max(max_age) + 2 * skew`` seconds:

* a presentation accepted at ``t0`` was created no later than ``t0 + skew``;
* it is accepted again only while ``now < created + max_age + skew <= t0 + max_age + 2 * skew``.

So once the challenge is forgotten, every presentation made for it fails the freshness check: a
replay is still refused, now as PRESENTATION_TOO_OLD instead of NONCE_ALREADY_USED.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from civid.verifier.config.policies import Policy

DEFAULT_CLOCK_SKEW_S: Final = 60


def accepted_created(now: datetime, max_age_s: int, clock_skew_s: int) -> tuple[datetime, datetime]:
    """``(after, until)``: a proof ``created`` is fresh when ``after < created <= until``."""
    skew = timedelta(seconds=clock_skew_s)
    return now - timedelta(seconds=max_age_s) - skew, now + skew


def challenge_memory_s(policies: Iterable[Policy], clock_skew_s: int) -> int:
    """Seconds to remember a used challenge so that no policy could accept its presentation again."""
    return max(p.presentation_max_age_s for p in policies) + 2 * clock_skew_s
