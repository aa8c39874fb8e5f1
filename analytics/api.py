"""Creator analytics endpoints of /api/v1/: the author (or staff) only; anyone else gets the
404 of a story that does not exist. Thin: one selector, one serializer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories_site.api import error_response

from . import selectors
from .serializers import StoryAnalyticsSerializer, SummarySerializer

NOT_YOURS = "No such story, or its analytics are not yours to see."


class StoryAnalyticsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: StoryAnalyticsSerializer, 404: error_response(NOT_YOURS)},
        summary="A story item's analytics (its author only), live or purged",
        tags=["analytics"],
    )
    def get(self, request: Request, story_id) -> Response:
        story = selectors.story_analyzed(viewer=request.user, story_id=story_id)
        if story is None:
            raise NotFound(NOT_YOURS)
        return Response(StoryAnalyticsSerializer(selectors.story_report(story=story)).data)


class SummaryView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "days", int, description=f"{selectors.MIN_DAYS} to {selectors.MAX_DAYS} (default 28)."
            )
        ],
        responses={200: SummarySerializer, 400: error_response(selectors.DAYS_MESSAGE)},
        summary="Your analytics for the last N days, by day, with follower growth",
        tags=["analytics"],
    )
    def get(self, request: Request) -> Response:
        days = selectors.days_clean(raw=request.query_params.get("days"))
        return Response(SummarySerializer(selectors.author_summary(author=request.user, days=days)).data)
