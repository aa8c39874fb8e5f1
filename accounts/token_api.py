"""API for your password and your API tokens (docs/api.md, "Accounts and people"): change the
password (v1.1 contract), list your tokens, revoke one. Thin: the rules are in accounts/tokens.py."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from stories_site.api import PAGE_PARAMETERS, CursorPagination, error_response

from . import tokens
from .authentication import token_expires_at
from .models import ApiToken
from .serializers import TokenSerializer
from .throttling import AuthRateThrottle

NO_SUCH_TOKEN = "No such token."


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=4096, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=4096, style={"input_type": "password"})


class TokenInfoSerializer(serializers.Serializer):
    """One of your tokens as the list shows it: never the key, which is shown once, when made."""

    id = serializers.IntegerField()
    prefix = serializers.CharField(help_text="The key's first characters, to tell tokens apart.")
    name = serializers.CharField(help_text="The client that asked for it (its User-Agent).")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expires_at(self, token: ApiToken) -> str | None:
        when = token_expires_at(token)
        return serializers.DateTimeField().to_representation(when) if when else None

    def get_current(self, token: ApiToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class TokenPagination(CursorPagination):
    ordering = ("-created_at", "-pk")


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle, AuthRateThrottle]  # "auth": by address, like the pages

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={
            200: OpenApiResponse(
                TokenSerializer, description="Changed. Your other sessions and every API token have ended."
            ),
            400: error_response(
                "`errors.old_password`: not your current password; `errors.new_password`: the "
                "password rules (length, too common, all digits, too like your username)."
            ),
            429: error_response(
                "Too many requests, or too many wrong passwords for the account: try again "
                "after `Retry-After` seconds."
            ),
        },
        summary="Change your password",
        description=(
            "Needs the current password. Every other session and every API token of yours ends; "
            "the answer carries a new `token` (and a session that made the call stays signed in). "
            "Wrong current passwords count toward the account's lockout, as log-ins do."
        ),
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        incoming = PasswordChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        key = tokens.password_change(
            request=request._request,
            user=request.user,
            old_password=data["old_password"],
            new_password=data["new_password"],
        )
        return Response(TokenSerializer({"key": key}).data)


class TokenListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=inline_serializer(
            "TokenPage",
            {
                "results": TokenInfoSerializer(many=True),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
            },
        ),
        summary="Your API tokens",
        description="Newest first; `current` marks the one this request is made with.",
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        paginator = TokenPagination()
        page = paginator.paginate_queryset(tokens.tokens_list(viewer=request.user), request, view=self)
        data = TokenInfoSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class TokenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None, 404: error_response(f"{NO_SUCH_TOKEN} (None of yours has this id.)")},
        summary="Revoke one of your API tokens",
        tags=["auth"],
    )
    def delete(self, request: Request, token_id: int) -> Response:
        if not tokens.token_revoke(user=request.user, token_id=token_id):
            raise NotFound(NO_SUCH_TOKEN)
        return Response(status=status.HTTP_204_NO_CONTENT)
