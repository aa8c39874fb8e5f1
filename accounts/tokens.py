"""Rules for API tokens and password changes: what ends when a password changes, how tokens are
made, listed and revoked. (Checking a token on each request is accounts/authentication.py.)

A person holds one token per device or script (`ApiToken`), at most MAX_TOKENS_PER_PERSON: a new
one beyond that ends the one used longest ago, so repeated log-ins cannot grow the table.
"""

from __future__ import annotations

from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from stories_site.errors import Invalid

from .authentication import token_lifetime
from .models import ApiToken, User, legacy_tokens, token_digest

MAX_TOKENS_PER_PERSON = 20
MAX_ID = 2**63 - 1
WRONG_OLD_PASSWORD = "That is not your current password."


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the key, which is shown this once."""
    key = ApiToken.new_key()
    with transaction.atomic():
        now = timezone.now()
        token = ApiToken.objects.create(
            user=user,
            digest=token_digest(key),
            prefix=key[: ApiToken.PREFIX_LENGTH],
            name=name[:200],
            created_at=now,
            last_used_at=now,  # handed out is used: the first requests need no write
        )
        keep = (
            ApiToken.objects.filter(user=user)
            .order_by(Coalesce("last_used_at", "created_at").desc(), "-pk")
            .values_list("pk", flat=True)[:MAX_TOKENS_PER_PERSON]
        )
        ApiToken.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
    return token, key


def token_label(*, request: HttpRequest | None) -> str:
    """How a token is labelled in its owner's list: the client that asked for it."""
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return "".join(char for char in agent if char.isprintable())[:200] or "API client"


def tokens_list(*, viewer: User) -> QuerySet[ApiToken]:
    """The person's live tokens, newest first (expired ones are left out)."""
    rows = ApiToken.objects.filter(user=viewer)
    lifetime = token_lifetime()
    if lifetime is not None:
        rows = rows.filter(created_at__gt=timezone.now() - lifetime)
    return rows.order_by("-created_at", "-pk")


def token_revoke(*, user: User, token_id: int) -> bool:
    """End one of the person's own tokens; False when they have none by that id."""
    if not 0 < token_id <= MAX_ID:
        return False  # no row has it, and the database could not compare it
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def tokens_revoke_all(*, user: User) -> int:
    """End every API token of the person (their sessions stay)."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    legacy_tokens().filter(user=user).delete()
    return deleted


def tokens_purge_expired() -> int:
    """Drop tokens past STORIES_TOKEN_TTL_HOURS (they are refused anyway); beat runs it nightly."""
    lifetime = token_lifetime()
    if lifetime is None:
        return 0
    deleted, _ = ApiToken.objects.filter(created_at__lte=timezone.now() - lifetime).delete()
    return deleted


def password_change(*, request: HttpRequest, user: User, old_password: str, new_password: str) -> str:
    """Set a new password after checking the current one; returns a fresh API token's key.

    The current password is checked through `authenticate`, so wrong guesses count toward the
    account's lockout like any log-in (accounts/lockout.py). Saving the new password ends every
    API token (`User.save`) and every session made with the old one; the session this request
    came with, if any, is kept. Errors name the field: old_password or new_password."""
    checked = authenticate(request, username=user.get_username(), password=old_password)
    if checked is None or checked.pk != user.pk:
        raise Invalid({"old_password": [WRONG_OLD_PASSWORD]})
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise Invalid({"new_password": list(exc.messages)}) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save()
        _token, key = token_create(user=user, name=token_label(request=request))
    session = getattr(request, "session", None)
    if session is not None and session.get("_auth_user_id") == str(user.pk):
        update_session_auth_hash(request, user)
    return key
