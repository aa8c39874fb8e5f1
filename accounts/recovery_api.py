"""API for getting back into an account (docs/api.md, "Accounts: recovery, leaving, your data").
Thin: the rules are in accounts/recovery.py; the rate in accounts/recovery_throttle.py."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories_site.api import error_response

from . import recovery
from .recovery_throttle import ResetAddressThrottle, ResetEmailThrottle
from .recovery_views import site_url
from .throttling import AuthRateThrottle

TOO_MANY = error_response(
    "Too many reset requests from this address or for this email: try again after `Retry-After` seconds."
)


class ResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class ResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(
        max_length=64, help_text="The link's first part: /accounts/reset/<uid>/<token>/"
    )
    token = serializers.CharField(max_length=128, help_text="The link's second part.")
    new_password = serializers.CharField(max_length=4096, style={"input_type": "password"})


class PasswordResetView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ResetAddressThrottle, ResetEmailThrottle]

    @extend_schema(
        request=ResetRequestSerializer,
        responses={
            202: OpenApiResponse(
                description="Accepted. The same answer whether or not an account has the address."
            ),
            400: error_response("`errors.email`: not an email address."),
            429: TOO_MANY,
        },
        summary="Ask for a password reset email",
        description=(
            "Each active account with this address (any case) gets an email with a one-time link "
            "to the site's reset page, `/accounts/reset/<uid>/<token>/`, valid for "
            "STORIES_RESET_LINK_SECONDS (3 hours by default). The answer, its timing aside, says "
            "nothing about whether the address is known. Rate: STORIES_PASSWORD_RESET_RATE per "
            "client address and per email address (5/hour by default), shared with the page."
        ),
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        incoming = ResetRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        recovery.password_reset_request(email=incoming.validated_data["email"], base_url=site_url(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]  # "auth": by address, like the log-in doors

    @extend_schema(
        request=ResetConfirmSerializer,
        responses={
            204: OpenApiResponse(description="Set. Every session and API token of the account has ended."),
            400: error_response(
                "`errors.token`: the link is invalid, expired or already used; `errors.new_password`: "
                "the password rules."
            ),
            429: error_response("Too many requests: try again after `Retry-After` seconds."),
        },
        summary="Set a new password from a reset link",
        description="The link's token works once. Log in again afterwards (`POST /api/v1/auth/token/`).",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        incoming = ResetConfirmSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        recovery.password_reset_confirm(
            uidb64=data["uid"], token=data["token"], new_password=data["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
