"""Authentication backends: the lockout's gate in front of Django's password check."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' gate (first in AUTHENTICATION_BACKENDS): refuses every attempt while the
    account or the client's address is locked out (accounts/lockout.py).

    Every door on the web (the log-in pages, the API's token and password endpoints) passes its
    request to `authenticate`. A call without one is not a door anybody can knock on from
    outside (a management command, the test client's `login()`): there is no address to count
    by, so it is left to the password check alone instead of failing, as axes' own backend does."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
