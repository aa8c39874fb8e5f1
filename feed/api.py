"""Engagement and feed endpoints of /api/v1/ (docs/api.md). Thin: find the story through the
visibility rule (anything else is a 404), call one service or selector, shape the answer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from accounts.clients import client_address
from stories import selectors as story_selectors
from stories.models import Story
from stories.serializers import StorySerializer
from stories_site.api import PAGE_PARAMETERS, CursorPagination, error_response, invalid_cursor, page_size

from . import selectors, services
from .serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    LikeSerializer,
    ShareSerializer,
    TrayEntrySerializer,
    ViewSerializer,
)

ERRORS = {
    400: error_response("Bad input, in plain words."),
    403: error_response("Not allowed (comments off, not yours, suspended)."),
    404: error_response("No such story, or not one you may see."),
}


class ScopedActionThrottle(UserRateThrottle):
    """A per-person (per-address when signed out) rate for one kind of write. The rate is
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope] when the settings name it, else DEFAULT_RATE."""

    DEFAULT_RATE = "120/minute"

    def get_rate(self) -> str:
        return self.THROTTLE_RATES.get(self.scope) or self.DEFAULT_RATE

    def allow_request(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class EngageThrottle(ScopedActionThrottle):
    scope = "engage"
    DEFAULT_RATE = "120/minute"


class ViewsThrottle(ScopedActionThrottle):
    """Players report an impression per item shown and another at its end: a fast scroller."""

    scope = "views"
    DEFAULT_RATE = "1200/minute"


def story_or_404(request: Request, story_id) -> Story:
    """The gate (stories.selectors.story_for_viewer): a live story the viewer may engage with,
    else its StoryNotFound, which the API's exception handler answers as the JSON 404."""
    return story_selectors.story_for_viewer(
        story_id=story_id, viewer=request.user, purpose=story_selectors.Purpose.ENGAGE
    )


class EngagementView(APIView):
    throttle_classes = [AnonRateThrottle, UserRateThrottle, EngageThrottle]


class LikeView(EngagementView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: OpenApiResponse(LikeSerializer, description="Liked."),
            200: OpenApiResponse(LikeSerializer, description="Already liked."),
            **ERRORS,
        },
        summary="Like a story",
        tags=["engagement"],
    )
    def post(self, request: Request, story_id) -> Response:
        created, count = services.like_create(viewer=request.user, story=story_or_404(request, story_id))
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(LikeSerializer({"liked": True, "like_count": count}).data, status=code)

    @extend_schema(
        request=None, responses={204: None, 404: ERRORS[404]}, summary="Unlike", tags=["engagement"]
    )
    def delete(self, request: Request, story_id) -> Response:
        services.like_delete(viewer=request.user, story=story_or_404(request, story_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentPagination(CursorPagination):
    ordering = ("created_at", "id")


class CommentListView(EngagementView):
    """Comments oldest first. With comments off the list is empty (`allow_comments: false`) and
    posting answers 403."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: inline_serializer(
                "CommentPage",
                {
                    "results": CommentSerializer(many=True),
                    "next": serializers.URLField(allow_null=True),
                    "allow_comments": serializers.BooleanField(),
                },
            ),
            404: ERRORS[404],
        },
        summary="A story's comments, oldest first",
        tags=["engagement"],
    )
    def get(self, request: Request, story_id) -> Response:
        story = story_or_404(request, story_id)
        paginator = CommentPagination()
        page = paginator.paginate_queryset(
            selectors.comments_for(story=story, viewer=request.user), request, view=self
        )
        for comment in page:
            comment.story = story  # can_delete needs the story's author: no query per comment
        live_ids = story_selectors.authors_with_live_story(
            author_ids=[c.author_id for c in page], viewer=request.user
        )
        context = {"request": request, "live_ids": live_ids}
        return Response(
            {
                "results": CommentSerializer(page, many=True, context=context).data,
                "next": paginator.get_next_link(),
                "allow_comments": story.allow_comments,
            }
        )

    @extend_schema(
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **ERRORS},
        summary="Comment on a story",
        tags=["engagement"],
    )
    def post(self, request: Request, story_id) -> Response:
        story = story_or_404(request, story_id)
        incoming = CommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        comment = services.comment_create(
            viewer=request.user, story=story, text=incoming.validated_data["text"]
        )
        live_ids = story_selectors.authors_with_live_story(author_ids=[request.user.pk], viewer=request.user)
        context = {"request": request, "live_ids": live_ids}
        return Response(CommentSerializer(comment, context=context).data, status=status.HTTP_201_CREATED)


class CommentDetailView(EngagementView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None, 403: ERRORS[403], 404: ERRORS[404]},
        summary="Delete a comment (yours, or any on your story)",
        tags=["engagement"],
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = selectors.comment_on_visible_story(viewer=request.user, comment_id=comment_id)
        if comment is None:
            raise NotFound("This comment does not exist or is no longer available.")
        services.comment_delete(comment=comment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ViewView(APIView):
    """Signed out too: anonymous views count only in the day's totals."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ViewsThrottle]

    @extend_schema(
        request=ViewSerializer,
        responses={204: None, 400: ERRORS[400], 404: ERRORS[404]},
        summary="Report an impression (completed: watched to the end)",
        description=(
            "Signed out too: anonymous views count only in the day's totals. A signed-in view may "
            "be counted a few seconds after the 204 (written behind through Redis); the viewer's "
            "own feeds and the author's analytics already count it."
        ),
        tags=["engagement"],
    )
    def post(self, request: Request, story_id) -> Response:
        story = story_or_404(request, story_id)
        incoming = ViewSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.view_record(
            viewer=request.user, story=story, client=client_address(request), **incoming.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShareView(EngagementView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: ShareSerializer, **ERRORS},
        summary="Share a story",
        description="Counted once per person: sharing again answers the same count.",
        tags=["engagement"],
    )
    def post(self, request: Request, story_id) -> Response:
        story = story_or_404(request, story_id)
        count = services.share_create(viewer=request.user, story=story)
        url = request.build_absolute_uri(story.get_absolute_url())
        return Response(ShareSerializer({"url": url, "share_count": count}).data)


# --- Feeds -----------------------------------------------------------------------------------


def _page_request(request: Request) -> tuple[str | None, int | None]:
    return request.query_params.get("cursor") or None, page_size(request)


def _next_link(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return replace_query_param(request.build_absolute_uri(), "cursor", cursor)


StoryPage = inline_serializer(
    "StoryFeedPage",
    {"results": StorySerializer(many=True), "next": serializers.URLField(allow_null=True)},
)


class StoryFeedView(APIView):
    page_function = staticmethod(selectors.for_you_page)

    def get(self, request: Request) -> Response:
        cursor, size = _page_request(request)
        try:
            page = self.page_function(viewer=request.user, cursor=cursor, size=size)
        except selectors.InvalidCursor as exc:
            raise invalid_cursor(exc) from exc
        items = StorySerializer(page.items, many=True, context={"request": request}).data
        return Response({"results": items, "next": _next_link(request, page.next_cursor)})


class ForYouView(StoryFeedView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={200: StoryPage, 400: ERRORS[400]},
        summary="For You: ranked live stories",
        tags=["feeds"],
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class FollowingView(StoryFeedView):
    permission_classes = [permissions.IsAuthenticated]
    page_function = staticmethod(selectors.following_page)

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={200: StoryPage, 400: ERRORS[400]},
        summary="Following: live stories of people you follow, unseen first",
        tags=["feeds"],
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class TrayView(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: inline_serializer(
                "TrayPage",
                {"results": TrayEntrySerializer(many=True), "next": serializers.URLField(allow_null=True)},
            ),
            400: ERRORS[400],
        },
        summary="The story tray",
        tags=["feeds"],
    )
    def get(self, request: Request) -> Response:
        cursor, size = _page_request(request)
        try:
            page = selectors.tray_page(viewer=request.user, cursor=cursor, size=size)
        except selectors.InvalidCursor as exc:
            raise invalid_cursor(exc) from exc
        entries = TrayEntrySerializer(page.entries, many=True, context={"request": request}).data
        return Response({"results": entries, "next": _next_link(request, page.next_cursor)})
