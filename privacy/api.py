"""API for leaving and your data (docs/api.md, "Accounts: recovery, leaving, your data"):
`DELETE /api/v1/users/me/` and `GET /api/v1/users/me/export/`. Thin: privacy/services.py and
privacy/export.py hold the rules."""

from __future__ import annotations

from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from accounts.throttling import AuthRateThrottle
from feed.people_api_urls import router as people_router
from stories_site.api import error_response

from . import export, services
from .models import DataExport
from .views import zip_response

EXPORT_RETRY_SECONDS = 5


class DeleteAccountSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})


class AccountView(APIView):
    """Only DELETE here; GET and PATCH of `users/me/` stay accounts' (see `me` below)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle, AuthRateThrottle]
    http_method_names = ["delete", "options"]

    @extend_schema(
        request=DeleteAccountSerializer,
        responses={
            204: OpenApiResponse(
                description="Deleted: the account is deactivated now and its content removed."
            ),
            400: error_response("`errors.password`: not your password."),
            429: error_response(
                "Too many requests or wrong passwords: try again after `Retry-After` seconds."
            ),
        },
        summary="Delete your account",
        description=(
            "Needs your password (wrong ones count toward the account's lockout). At once: signed "
            "out everywhere, every API token ends, the account and its stories are hidden. Within a "
            "minute: the account, its stories and their files in storage, comments, likes, votes, "
            "follows, notifications and tokens are deleted; anonymous aggregate counts stay. While "
            "an open report concerns you, what it is about is kept for moderators until they decide."
        ),
        tags=["people"],
    )
    def delete(self, request: Request) -> Response:
        incoming = DeleteAccountSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.account_delete_request(
            request=request._request, user=request.user, password=incoming.validated_data["password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _accounts_me():
    for pattern in people_router.urls:
        if pattern.name == "users-me":
            return pattern.callback
    raise LookupError("the users/me/ route (feed/people_api_urls.py) is missing")


_account_view = AccountView.as_view()
_accounts_me_view = _accounts_me()


def me(request: HttpRequest, *args, **kwargs):
    """`users/me/`: DELETE is ours; every other method goes to accounts' own view unchanged."""
    view = _account_view if request.method == "DELETE" else _accounts_me_view
    return view(request, *args, **kwargs)


# The schema documents DELETE from AccountView; GET and PATCH from accounts' route.
me.cls = AccountView
me.initkwargs = {}
me.csrf_exempt = True


class ExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The zip: profile.json, stories.json, media/<story id>.<ext> for each live "
                "story, comments.json, followers.json, following.json, avatar.jpg when set.",
            ),
            202: OpenApiResponse(
                inline_serializer("ExportPreparing", {"status": serializers.CharField()}),
                description="Being prepared by a worker: ask again after `Retry-After` seconds.",
            ),
        },
        summary="Download your data",
        description=(
            "Small accounts (media up to STORIES_EXPORT_SYNC_BYTES, 25 MB by default) get the zip at "
            "once. Larger ones: the first call starts a worker and answers 202 with "
            '`{"status": "preparing"}` and `Retry-After`; once it is ready the next call answers 200 '
            "with the zip, once (the file is then deleted; a later call starts a new export)."
        ),
        tags=["people"],
    )
    def get(self, request: Request) -> Response:
        user = request.user
        job = export.export_current(user=user)
        if job is not None and job.state == DataExport.State.READY:
            taken = export.export_take(job=job)
            if taken is not None:
                fileobj, size = taken
                return zip_response(fileobj, size=size, on_close=lambda: export.export_discard(name=job.file))
        if (job is None or job.state == DataExport.State.FAILED) and export.export_is_small(user=user):
            return zip_response(export.export_build_now(user=user))
        job = export.export_prepare(user=user)
        response = Response({"status": job.state}, status=status.HTTP_202_ACCEPTED)
        response["Retry-After"] = str(EXPORT_RETRY_SECONDS)
        return response
