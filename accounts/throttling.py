"""The "auth" rate at the site's own doors: the pages that take a password or make an account.

The API's auth endpoints are throttled by DRF (`AuthThrottleMixin` in accounts/api.py, scope
"auth"). The pages that do the same work (log-in, the admin's log-in, sign-up, password change)
draw on the same budget, under the same cache key, for the same client address
(`accounts.clients.client_address`), so switching between the API and the pages buys no extra
attempts. The lockout after failed passwords (accounts/lockout.py) comes on top of this.
"""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

from .clients import client_address
from .lockout import wait_words

# URL names of the page doors that read a password or create an account. Only POSTs count.
AUTH_DOORS = frozenset({"accounts:login", "accounts:signup", "accounts:password_change", "admin:login"})
SLOW_DOWN = "Too many attempts from your address. Try again in {wait}."


class AuthRateThrottle(SimpleRateThrottle):
    """DRF's "auth" scope by client address: the key DRF's ScopedRateThrottle uses for the API's
    auth endpoints, which run unauthenticated."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class AuthPageThrottleMiddleware:
    """Answers 429 with Retry-After to a POST at an auth door once the address is over the rate."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in AUTH_DOORS:
            return None
        throttle = AuthRateThrottle()
        if throttle.allow_request(request, None):
            return None
        wait = max(1, math.ceil(throttle.wait() or 1))
        context = {"message": SLOW_DOWN.format(wait=wait_words(wait))}
        response = render(request, "accounts/slow_down.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
