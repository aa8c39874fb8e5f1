"""Who is asking: the one answer every throttle and the login lockout use.

A client's address is `REMOTE_ADDR`, the peer of the TCP connection, unless the site runs behind
reverse proxies that it trusts. With `STORIES_TRUSTED_PROXIES=N` (settings: REST_FRAMEWORK
["NUM_PROXIES"]) the address is the one the N-th proxy from the app appended to
`X-Forwarded-For`, counted from the right: whatever a client writes into the header itself stays
to the left of it and is never read. With the default 0 the header is ignored altogether, so a
forged `X-Forwarded-For` cannot give one client a fresh budget per request.

DRF's throttles read the address with `BaseThrottle.get_ident`, which implements exactly that
rule from NUM_PROXIES; `client_address` is that same function, so the lockout (django-axes,
AXES_CLIENT_IP_CALLABLE), the page throttles and the API throttles can never disagree about
who someone is.
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

_IDENT = BaseThrottle()


def client_address(request: HttpRequest) -> str | None:
    """The client's address as every throttle and the lockout see it (see the module's doc)."""
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    return _IDENT.get_ident(request) or None
