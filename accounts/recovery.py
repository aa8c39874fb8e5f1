"""Getting back into an account and keeping its address right: password reset by email and the
email change that waits for the new address to confirm.

Both use one-time links made by Django's own machinery. A reset link carries Django's
`default_token_generator` token, whose hash covers the password and the last log-in, so it stops
working the moment it is used (the password changes) and after PASSWORD_RESET_TIMEOUT. An email
change link is a signed, timestamped payload naming the account, the old address and the new one;
the new address is kept in the link itself until it is opened (nothing unverified is written to
the account), and the link works once: once the change is made, the account's address is no
longer the old one it names.

Answers never say whether an address belongs to anyone: the reset request does the same work,
and answers the same, either way.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from stories_site.errors import Invalid

from .mail import queue_email
from .models import User

BAD_RESET_LINK = "This reset link is invalid, has expired or has already been used."
BAD_EMAIL_LINK = "This confirmation link is invalid, has expired or has already been used."
EMAIL_CHANGE_SALT = "accounts.email-change"
SAME_EMAIL = "That is already your email address."


def _users_with_email(email: str) -> list[User]:
    """Accounts a reset for `email` goes to: active, with a password, the address in any case."""
    if not email:
        return []
    rows = User.objects.filter(email__iexact=email, is_active=True)
    return [user for user in rows if user.has_usable_password()]


def password_reset_link(*, user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def password_reset_request(*, email: str, base_url: str) -> None:
    """Email a one-time reset link to each account with this address; nothing when there is
    none, and nothing to tell the caller either way. `base_url` is the site's address as the
    request reached it (its host already checked against ALLOWED_HOSTS)."""
    email = User.objects.normalize_email((email or "").strip())
    for user in _users_with_email(email):
        context = {
            "user": user,
            "link": password_reset_link(user=user, base_url=base_url),
            "base_url": base_url,
        }
        context["hours"] = settings.PASSWORD_RESET_TIMEOUT // 3600
        queue_email(to=user.email, template="password_reset", context=context)


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The account a reset link is for, while its token is good; None otherwise."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64 or "")))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token or ""):
        return None
    return user


def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    """Set the new password from a reset link. Saving it ends every API token (`User.save`) and
    every session (each is tied to the password's hash), the link's token with them."""
    user = password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        raise Invalid({"token": [BAD_RESET_LINK]})
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise Invalid({"new_password": list(exc.messages)}) from None
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not default_token_generator.check_token(locked, token):  # two tabs, one link
            raise Invalid({"token": [BAD_RESET_LINK]})
        locked.set_password(new_password)
        locked.save()
    return locked


# --- Changing the address --------------------------------------------------------------------


def email_change_request(*, user: User, new_email: str, base_url: str) -> str:
    """Send a confirmation link to the new address and a notice to the old one; the account's
    address changes only when the link is opened. Returns the normalised new address."""
    new_email = User.objects.normalize_email((new_email or "").strip())
    try:
        validate_email(new_email)
    except ValidationError:
        raise Invalid({"email": ["Enter a valid email address."]}) from None
    if len(new_email) > 254:
        raise Invalid({"email": ["Enter a valid email address."]})
    if new_email.lower() == (user.email or "").lower():
        raise Invalid({"email": [SAME_EMAIL]})
    payload = {"u": user.pk, "o": user.email or "", "e": new_email}
    token = signing.dumps(payload, salt=EMAIL_CHANGE_SALT, compress=True)
    link = base_url.rstrip("/") + reverse("accounts:email_confirm", kwargs={"token": token})
    context = {"user": user, "link": link, "new_email": new_email, "base_url": base_url}
    context["hours"] = settings.PASSWORD_RESET_TIMEOUT // 3600
    queue_email(to=new_email, template="email_verify", context=context)
    if user.email:
        queue_email(to=user.email, template="email_change_notice", context=context)
    return new_email


def email_change_payload(*, token: str) -> tuple[User, str] | None:
    """(account, new address) for a good, unused link; None otherwise."""
    try:
        payload = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
        pk, old, new = int(payload["u"]), str(payload["o"]), str(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or (user.email or "") != old:
        return None
    return user, new


def email_change_confirm(*, token: str) -> User:
    """Make the change a link asks for, once."""
    with transaction.atomic():
        found = email_change_payload(token=token)
        if found is None:
            raise Invalid({"token": [BAD_EMAIL_LINK]})
        user, new = found
        updated = User.objects.filter(pk=user.pk, email=user.email).update(email=new)
        if not updated:
            raise Invalid({"token": [BAD_EMAIL_LINK]})
    user.email = new
    return user
