"""API for identity: sign-up, tokens, sign-out (docs/api.md, "Accounts and people"). Profiles,
follows, blocks and people lists (`users/...`), which carry story rings and take a photo, are
feed/people_api.py; the notifications are feed/notifications_api.py. The plain errors below
are shared with them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from stories_site.api import error_response

from . import services, tokens
from .models import ApiToken
from .serializers import (
    RegisteredSerializer,
    RegisterSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)

NO_SUCH_PERSON = "No such person."  # every "nobody by that name, or not one you may see" answer
PLAIN_ERRORS = {
    400: error_response("Bad input, in plain words."),
    403: error_response("Not allowed."),
    404: error_response(f"{NO_SUCH_PERSON} (Nobody by that name, or not one you may see.)"),
}


class AuthThrottleMixin:
    """Guessing passwords or mass sign-ups hit the small "auth" rate, per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterView(AuthThrottleMixin, APIView):
    @extend_schema(
        request=RegisterSerializer,
        responses={201: RegisteredSerializer, 400: PLAIN_ERRORS[400]},
        summary="Create an account",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        incoming = RegisterSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        user = services.user_register(
            username=data["username"], password=data["password"], email=data.get("email", "")
        )
        return Response(RegisteredSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(AuthThrottleMixin, APIView):
    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: PLAIN_ERRORS[400]},
        summary="Get an API token",
        description=(
            "Send it as `Authorization: Token <token>`. Each call makes a new token (list and "
            "revoke them at `auth/tokens/`). Suspended accounts get a 400 saying until when. After "
            "too many wrong passwords for the account or from the address, every attempt (the "
            "right password too) answers 429 with `Retry-After` until the lockout ends."
        ),
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        incoming = TokenRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        _token, key = services.token_issue(
            request=request._request, username=data["username"], password=data["password"]
        )
        return Response(TokenSerializer({"key": key}).data)


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Delete your API token",
        description="Deletes the token the request is made with; made with a session, every "
        "API token of yours.",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            request.auth.delete()
        else:
            tokens.tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
