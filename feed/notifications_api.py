"""API for your notifications: the page with the unread count, and marking them read
(`notifications/` under /api/v1/; routes in feed/people_api_urls.py). The actors' rings need
stories, so this is feed's, next to the inbox (feed/notifications.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories import selectors as story_selectors
from stories_site.api import PAGE_PARAMETERS, CursorPagination

from . import notifications
from .notifications_serializers import NotificationSerializer


class NotificationPagination(CursorPagination):
    ordering = ("-created_at", "-pk")


class NotificationListView(APIView):
    """Your notifications, newest first, with the unread count for the header badge."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "NotificationPage",
            {
                "results": NotificationSerializer(many=True),
                "next": serializers.URLField(allow_null=True),
                "unread_count": serializers.IntegerField(),
            },
        ),
        parameters=PAGE_PARAMETERS,
        summary="Your notifications",
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        paginator = NotificationPagination()
        page = paginator.paginate_queryset(
            notifications.notifications_for(viewer=request.user), request, view=self
        )
        live_ids = story_selectors.authors_with_live_story(
            author_ids=[n.actor_id for n in page], viewer=request.user
        )
        context = {"request": request, "live_ids": live_ids}
        return Response(
            {
                "results": NotificationSerializer(page, many=True, context=context).data,
                "next": paginator.get_next_link(),
                "unread_count": notifications.unread_notification_count(viewer=request.user),
            }
        )


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="Mark all as read", tags=["notifications"])
    def post(self, request: Request) -> Response:
        notifications.notifications_mark_read(viewer=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
