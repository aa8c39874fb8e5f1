"""Suspension applies to sessions and tokens that already exist, not only to new log-ins."""

from django.contrib import messages
from django.contrib.auth import logout
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .services import login_refusal


class ActiveTokenAuthentication(TokenAuthentication):
    """Token auth that refuses suspended or disabled people with a plain 401."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        refusal = login_refusal(user)
        if refusal:
            raise AuthenticationFailed(refusal)
        return user, token


class SuspendedSessionMiddleware:
    """Ends the session of a person suspended while signed in, and says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refusal = login_refusal(user)
            if refusal:
                logout(request)
                messages.error(request, refusal)
        return self.get_response(request)
