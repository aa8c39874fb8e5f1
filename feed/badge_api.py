"""The header badge as JSON, for the page's poll (static/js/badge.js): GET /api/v1/me/badge/.

A tab open on any page asks every `STORIES_BADGE_POLL_SECONDS` (less often while hidden), so the
answer is small and conditional: its ETag names the person and both counts, and a request whose
If-None-Match still matches gets a bodiless 304. Polling needs nothing but the web process, so
`make run` has live badges without another service (no websockets, no SSE worker)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User

from .notifications import unread_notification_count
from .selectors.conversations import unread_message_count


def poll_seconds() -> int:
    """How often a visible tab asks, in seconds; the page reads it from the header (base.html)."""
    return max(1, int(settings.STORIES_BADGE_POLL_SECONDS))


class BadgeSerializer(serializers.Serializer):
    notifications = serializers.IntegerField(help_text="Unread notifications (the bell's count).")
    messages = serializers.IntegerField(help_text="Unread messages from others (the inbox's count).")


def badge_counts(*, viewer: User) -> dict[str, int]:
    """The two counts the header shows: the same selectors the page's header uses."""
    return {
        "notifications": unread_notification_count(viewer=viewer),
        "messages": unread_message_count(viewer=viewer),
    }


def badge_etag(*, viewer_id: int, counts: dict[str, int]) -> str:
    """A strong ETag for these counts of this person: another person's tag never matches."""
    raw = f"{viewer_id}:{counts['notifications']}:{counts['messages']}".encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:20] + '"'


def _matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter."""
    tags = parse_etags(header) if header else []
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


class BadgeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="The ETag of the last answer: 304 while both counts are the same.",
            )
        ],
        responses={
            200: BadgeSerializer,
            304: OpenApiResponse(description="Nothing changed since the ETag sent: no body."),
        },
        summary="Your unread counts for the header badge (poll with If-None-Match)",
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        counts = badge_counts(viewer=request.user)
        etag = badge_etag(viewer_id=request.user.pk, counts=counts)
        if _matches(request.headers.get("If-None-Match", ""), etag):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(counts)
        response["ETag"] = etag
        # Only this browser may keep it, and must ask again before using it.
        response["Cache-Control"] = "private, no-cache"
        return response
