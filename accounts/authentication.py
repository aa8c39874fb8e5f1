"""API tokens and sessions that end: suspension, a new password, a token's own lifetime.

Suspension applies to sessions and tokens that already exist, not only to new log-ins; a new
password ends every token (accounts.models.User.save) and every other session (Django ties
sessions to the password's hash); STORIES_TOKEN_TTL_HOURS, when set, ends a token that long after
it was made.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from stories_site import compiled

from .models import ApiToken, User, legacy_tokens, token_digest
from .services import user_login_refusal

INVALID = "Invalid token."
EXPIRED = "This token has expired: get a new one from POST /api/v1/auth/token/."
# A token's `last_used_at` is written at most this often: not one write per request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def token_lifetime() -> timedelta | None:
    hours = settings.STORIES_TOKEN_TTL_HOURS
    return timedelta(hours=hours) if hours else None


def token_expires_at(token: ApiToken):
    lifetime = token_lifetime()
    return token.created_at + lifetime if lifetime else None


def _adopt_legacy(key: str) -> ApiToken | None:
    """A key from DRF's own token table (made before ApiToken, or by a script that still uses
    DRF's model) becomes an ApiToken on first use, with its age, and leaves that table."""
    if len(key) != 2 * ApiToken.KEY_BYTES or not key.isalnum():
        return None  # not the shape of a DRF key: nothing to look up
    with transaction.atomic():
        legacy = legacy_tokens().select_for_update().filter(key=key).first()
        if legacy is None:
            # Another request adopted the key while this one waited for the row's lock (two
            # first uses at once): it committed, so its ApiToken is there to read, and this
            # request is as authenticated as that one.
            return ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        token = ApiToken.objects.create(
            user_id=legacy.user_id,
            digest=token_digest(key),
            prefix=key[: ApiToken.PREFIX_LENGTH],
            name="API token",
            created_at=legacy.created,
        )
        legacy.delete()
    return token


def _token_by_digest(digest: str) -> ApiToken | None:
    """The token with this digest and its person, in SQL compiled once per process: every API
    request asks it, and building and compiling the query cost more than running it."""
    query = compiled.query_compiled(
        key="api-token-by-digest",
        build=lambda slots: ApiToken.objects.select_related("user").filter(digest=slots.text("digest")),
    )
    found = query.objects({"digest": digest})
    return found[0] if found else None


class ActiveTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against ApiToken (a digest lookup), refusing with a plain 401
    a token past its lifetime and the tokens of suspended or disabled people."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = _token_by_digest(token_digest(key))
        if token is None:
            token = _adopt_legacy(key)
        if token is None:
            raise AuthenticationFailed(INVALID)
        expires_at = token_expires_at(token)
        now = timezone.now()
        if expires_at is not None and expires_at <= now:
            token.delete()
            raise AuthenticationFailed(EXPIRED)
        user = token.user
        if not user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        refusal = user_login_refusal(user=user)
        if refusal:
            raise AuthenticationFailed(refusal)
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token


class SuspendedSessionMiddleware:
    """Ends the session of a person suspended while signed in, and says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refusal = user_login_refusal(user=user)
            if refusal:
                logout(request)
                messages.error(request, refusal)
        return self.get_response(request)
