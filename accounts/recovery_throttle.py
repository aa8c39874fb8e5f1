"""The password-reset rate: STORIES_PASSWORD_RESET_RATE requests per client address and, apart,
per email address asked about, shared by the page and the API (same cache keys), so switching
doors buys nothing. Unknown addresses count the same as known ones: the rate says nothing about
who has an account."""

from __future__ import annotations

import hashlib
import math

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .clients import client_address


class ResetAddressThrottle(SimpleRateThrottle):
    scope = "password_reset"

    def get_rate(self) -> str:
        return settings.STORIES_PASSWORD_RESET_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": "reset-addr", "ident": client_address(request)}


class ResetEmailThrottle(ResetAddressThrottle):
    """Keyed by the (case-folded) address asked about, hashed so the cache holds no addresses."""

    def get_cache_key(self, request, view) -> str | None:
        data = request.data if hasattr(request, "data") else request.POST
        email = data.get("email") if hasattr(data, "get") else None  # a JSON list has no fields
        if not isinstance(email, str) or not email.strip():
            return None
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        return self.cache_format % {"scope": "reset-email", "ident": digest}


def reset_wait(request) -> int | None:
    """Seconds to wait when this reset request is over either rate (and it is not counted); None
    when it may go ahead (and it is counted against both)."""
    throttles = [ResetAddressThrottle(), ResetEmailThrottle()]
    waits = []
    for throttle in throttles:
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 1)
    return max(1, math.ceil(max(waits))) if waits else None
