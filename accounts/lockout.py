"""Password guessing: the lockout behind every door that checks a password.

django-axes watches every `django.contrib.auth.authenticate()` call (its backend is first in
AUTHENTICATION_BACKENDS): the site's log-in page, the admin's, `POST /api/v1/auth/token/`, and
the old-password check of both password-change doors. Failures are counted in the shared cache
(Redis in production), under two keys at once:

* the account (the username as log-in resolves it, case-insensitively: "Alice" and "ALICE" are
  one account and one count), locked after STORIES_LOGIN_FAILURE_LIMIT failures;
* the client's address (`accounts.clients.client_address`, the throttles' own), locked after
  STORIES_LOGIN_ADDRESS_FAILURE_LIMIT failures, which catches one address trying one password
  on many accounts. Its limit is higher because many people can share an address.

Either lock refuses every attempt, the right password included, for STORIES_LOGIN_COOLOFF_MINUTES
after the last counted failure; attempts made during a lockout are not counted, so the owner
trying again does not push it further. The answer is a 429 with `Retry-After` (JSON in the API's
error shape under /api/, a plain page elsewhere). A successful log-in clears the account's
count, never the address's: an attacker cannot reset their address by signing in to an account
of their own.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator
from typing import Any

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_client_username
from axes.signals import user_locked_out
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .clients import client_address

LOCKED_MESSAGE = "Too many failed sign-in attempts. Try again in {wait}."
_PREFIX = "login-failures"


def account_key(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """What the per-account count is keyed by (AXES_USERNAME_CALLABLE): the account that log-in
    would pick for the typed name (`UserManager.get_by_natural_key`, case-insensitive), else the
    case-folded name, so no spelling of a name escapes its account's count."""
    from .models import User

    if credentials and "username" in credentials:
        typed = credentials.get("username")
    else:
        data = getattr(request, "POST", None) or {}
        typed = data.get("username")
    if not isinstance(typed, str) or not typed.strip():
        return None
    try:
        return f"account:{User.objects.get_by_natural_key(typed).pk}"
    except User.DoesNotExist:
        return "name:" + typed.strip().casefold()[:150]


def _count_key(kind: str, value: str) -> str:
    """A cache key for one count: hashed, so any typed name makes a short, safe key."""
    return f"{_PREFIX}:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def cooloff_seconds() -> int:
    return max(1, int(settings.STORIES_LOGIN_COOLOFF_MINUTES * 60))


class LoginLockoutHandler(AxesCacheHandler):
    """axes' cache handler with one limit per account and another per address (axes has one
    limit for all its keys), the time of the last counted failure kept beside each count for
    `Retry-After`, and a success that clears only the account's count."""

    def _keys(self, request: HttpRequest, credentials: dict | None) -> Iterator[tuple[str, int]]:
        """(cache key, limit) of each count this attempt belongs to."""
        account = get_client_username(request, credentials)
        if account:
            yield _count_key("account", account), settings.STORIES_LOGIN_FAILURE_LIMIT
        address = getattr(request, "axes_ip_address", None) or client_address(request)
        if address:
            yield _count_key("address", address), settings.STORIES_LOGIN_ADDRESS_FAILURE_LIMIT

    def get_failures(self, request, credentials: dict | None = None) -> int:
        return max((self.cache.get(key, 0) for key, _ in self._keys(request, credentials)), default=0)

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return self.retry_after(request, credentials) > 0

    def retry_after(self, request, credentials: dict | None = None) -> int:
        """Seconds until every lock on this attempt has lapsed; 0 when none holds."""
        wait = 0
        for key, limit in self._keys(request, credentials):
            if self.cache.get(key, 0) >= limit:
                wait = max(wait, self._left(key))
        return wait

    def _left(self, key: str) -> int:
        """Seconds left of the cool-off that began at the count's last failure (0: lapsed, even
        if the cache has not dropped the count yet; the whole cool-off if its time is lost)."""
        at = self.cache.get(f"{key}:at")
        if at is None:
            return cooloff_seconds()
        return max(0, math.ceil(cooloff_seconds() - (time.time() - float(at))))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is None:
            return
        if request.axes_locked_out or self.is_locked(request, credentials):
            # Refused by the lock (the backend said so): not counted, so the owner's own tries
            # never stretch the lockout; the answer still says how long to wait.
            self._lock(request, credentials)
            return
        timeout, now = cooloff_seconds(), time.time()
        for key, _ in self._keys(request, credentials):
            if self.cache.get(f"{key}:at") is not None and not self._left(key):
                self.cache.set(key, 1, timeout=timeout)  # a lapsed count starts again
            elif not self.cache.add(key, 1, timeout=timeout):
                try:
                    self.cache.incr(key)
                except ValueError:  # lapsed between the two calls
                    self.cache.add(key, 1, timeout=timeout)
                self.cache.touch(key, timeout=timeout)
            self.cache.set(f"{key}:at", now, timeout=timeout)
        if self.is_locked(request, credentials):
            self._lock(request, credentials)

    def _lock(self, request: HttpRequest, credentials: dict | None) -> None:
        first = not request.axes_locked_out
        request.axes_locked_out = True
        request.axes_credentials = credentials
        if first:
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        """The person proved they know the password: their account's count starts again."""
        account = account_key(request, {"username": user.get_username()})
        if account:
            key = _count_key("account", account)
            self.cache.delete_many([key, f"{key}:at"])

    def user_logged_out(self, sender, request, user, **kwargs) -> None:
        return None

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username: bool = False) -> int:
        """`manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS` lift a lockout."""
        keys = []
        account = account_key(None, {"username": username}) if username else None
        if account:
            keys.append(_count_key("account", account))
        if ip_address:
            keys.append(_count_key("address", ip_address))
        found = sum(1 for key in keys if self.cache.get(key))
        self.cache.delete_many([*keys, *(f"{key}:at" for key in keys)])
        return found


def _handler() -> LoginLockoutHandler:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.get_implementation()


def retry_after(request: HttpRequest, credentials: dict | None = None) -> int:
    """Seconds the client behind `request` must wait before the next attempt (0: none)."""
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.update_request(request)
    return _handler().retry_after(request, credentials)


def wait_words(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return "a minute" if minutes <= 1 else f"{minutes} minutes"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a refused attempt answers, at any door. 429 with Retry-After;
    under /api/ the API's error shape, elsewhere a plain page that says how long to wait."""
    wait = retry_after(request, credentials) or cooloff_seconds()
    message = LOCKED_MESSAGE.format(wait=wait_words(wait))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "accounts/slow_down.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response
