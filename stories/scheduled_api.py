"""Scheduled stories in /api/v1/: the author's list, and "publish now". Posting one is
POST /api/v1/stories/ with `publish_at`; rescheduling is PATCH /api/v1/stories/{id}/ with
`publish_at`; cancelling is DELETE /api/v1/stories/{id}/. The rules are in
stories/services/scheduling.py; this only parses and shapes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories_site.api import CursorPagination, error_response

from . import page_parts, selectors, services
from .models import Story
from .serializers import StorySerializer

NOT_YOURS = "You have no such scheduled story."


class SoonestFirst(CursorPagination):
    ordering = ("publish_at", "created_at")


def scheduled_story_json(request: Request, story: Story) -> dict:
    rows = Story.objects.select_related("author", "sound").filter(pk=story.pk)
    saved = page_parts.stories_annotate(stories=rows, viewer=request.user).get()
    return StorySerializer(saved, context={"request": request}).data


@extend_schema(tags=["stories"])
class MyScheduledView(generics.ListAPIView):
    """Your stories waiting to go live, soonest first: state `scheduled`, or `processing` with a
    `publish_at` (they move to scheduled once processed). Nobody else sees them."""

    serializer_class = StorySerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = SoonestFirst

    def get_queryset(self):
        stories = selectors.stories_scheduled(author=self.request.user).select_related("author", "sound")
        return page_parts.stories_annotate(stories=stories, viewer=self.request.user)


@extend_schema(tags=["stories"])
class PublishNowView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(
                StorySerializer,
                description="Live now (state ready, published_at now); one still processing keeps "
                "state processing and goes live the moment it is ready.",
            ),
            400: error_response("The story is not scheduled any more: already live, or gone."),
            404: error_response(NOT_YOURS),
        },
        summary="Publish your scheduled story now",
    )
    def post(self, request: Request, story_id) -> Response:
        story = Story.objects.filter(pk=story_id, author=request.user).first()
        if story is None:
            raise NotFound(NOT_YOURS)
        story = services.story_publish_now(story=story, by=request.user)
        return Response(scheduled_story_json(request, story))
