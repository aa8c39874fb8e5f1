"""Highlight endpoints of /api/v1/. Thin: parse, call a service (stories/services/highlights.py)
or a selector (stories/highlight_selectors.py), shape the answer."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as people
from accounts.api import NO_SUCH_PERSON
from stories_site.api import error_response
from stories_site.parsers import JSONParser

from . import highlight_selectors, page_parts
from .highlight_selectors import ShownHighlight
from .serializers import StorySerializer, absolute
from .services import highlights as services
from .uploads import CappedUploadMixin

NO_SUCH_HIGHLIGHT = "You have no such highlight."


class HighlightSerializer(serializers.Serializer):
    """Documents a highlight's JSON (`highlight_json` builds it)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    cover_url = serializers.URLField(allow_null=True, help_text="The cover: a poster or the uploaded image.")
    cover_story = serializers.UUIDField(allow_null=True, help_text="The item whose poster is the cover.")
    cover_state = serializers.ChoiceField(
        choices=["none", "processing", "ready", "failed"],
        help_text="The uploaded cover image (owner only; `none` for others).",
    )
    cover_error = serializers.CharField(help_text="Why the last uploaded cover could not be used.")
    stories = StorySerializer(many=True, help_text="The items this viewer may watch, in order.")


class HighlightInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=services.MAX_TITLE_LENGTH)
    stories = serializers.ListField(child=serializers.UUIDField(), help_text="Story ids, in order.")
    cover_story = serializers.UUIDField(required=False, allow_null=True)


class HighlightPatchSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=services.MAX_TITLE_LENGTH, required=False)
    stories = serializers.ListField(child=serializers.UUIDField(), required=False, help_text="The new order.")
    cover_story = serializers.UUIDField(required=False, allow_null=True)


def _viewer_state(viewer):
    return page_parts.stories_annotator(viewer=viewer)


def highlight_json(entry: ShownHighlight, request: Request) -> dict[str, Any]:
    highlight = entry.highlight
    is_owner = request.user.is_authenticated and request.user.pk == highlight.owner_id
    cover_state = "none"
    if is_owner:
        if highlight.cover_pending:
            cover_state = "processing"
        elif highlight.cover_error:
            cover_state = "failed"
        elif highlight.cover_image:
            cover_state = "ready"
    cover = entry.cover_url
    return {
        "id": highlight.pk,
        "title": highlight.title,
        "cover_url": absolute(request, cover) if cover else None,
        "cover_story": str(highlight.cover_story_id) if highlight.cover_story_id else None,
        "cover_state": cover_state,
        "cover_error": highlight.cover_error if is_owner else "",
        "stories": StorySerializer(entry.stories, many=True, context={"request": request}).data,
    }


def _own_shown(request: Request, highlight_id: int) -> dict[str, Any]:
    """A highlight as its owner sees it (every item left in it), as JSON."""
    highlights = highlight_selectors.highlights_shown(
        owner=request.user, viewer=request.user, include_empty=True, prepare=_viewer_state(request.user)
    )
    entry = next(h for h in highlights if h.pk == highlight_id)
    return highlight_json(entry, request)


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ValidationError({"detail": "Send a JSON object."})
    return request.data


def _owned(request: Request, highlight_id: int):
    highlight = highlight_selectors.highlight_owned(highlight_id=highlight_id, owner=request.user)
    if highlight is None:
        raise NotFound(NO_SUCH_HIGHLIGHT)
    return highlight


class OwnHighlightsView(APIView):
    """The author's own highlights, written in JSON only: a list of story ids has no plain form
    encoding, and the body is read as an object."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]


@extend_schema(tags=["stories"])
class HighlightListView(OwnHighlightsView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "OwnHighlights",
                {"results": HighlightSerializer(many=True)},
            )
        },
        summary="Your highlights in their order, empty ones included (all in one answer)",
    )
    def get(self, request: Request) -> Response:
        highlights = highlight_selectors.highlights_shown(
            owner=request.user, viewer=request.user, include_empty=True, prepare=_viewer_state(request.user)
        )
        return Response({"results": [highlight_json(h, request) for h in highlights]})

    @extend_schema(
        request=HighlightInputSerializer,
        responses={
            201: HighlightSerializer,
            400: error_response(
                "No title or too long a title, no stories, a story listed twice, or one that is not "
                "your own live or archived story."
            ),
        },
        summary="Make a highlight from your own live or archived stories, in this order",
    )
    def post(self, request: Request) -> Response:
        data = _body(request)
        with transaction.atomic():  # a bad cover_story leaves no highlight behind
            highlight = services.highlight_create(
                owner=request.user, title=data.get("title"), story_ids=data.get("stories")
            )
            if "cover_story" in data:
                services.highlight_update(
                    highlight=highlight, by=request.user, cover_story_id=data["cover_story"]
                )
        return Response(_own_shown(request, highlight.pk), status=status.HTTP_201_CREATED)


@extend_schema(tags=["stories"])
class HighlightDetailView(OwnHighlightsView):
    @extend_schema(
        request=HighlightPatchSerializer,
        responses={
            200: HighlightSerializer,
            400: error_response("A bad title, story list or cover story."),
            404: error_response(NO_SUCH_HIGHLIGHT),
        },
        summary="Rename a highlight, set its stories (the new order) or its cover item",
    )
    def patch(self, request: Request, highlight_id: int) -> Response:
        highlight = _owned(request, highlight_id)
        data = _body(request)
        changes = {
            name: data[key]
            for key, name in (("title", "title"), ("stories", "story_ids"), ("cover_story", "cover_story_id"))
            if key in data
        }
        services.highlight_update(highlight=highlight, by=request.user, **changes)
        return Response(_own_shown(request, highlight.pk))

    @extend_schema(
        responses={204: None, 404: error_response(NO_SUCH_HIGHLIGHT)},
        summary="Delete a highlight (its stories stay where they were)",
    )
    def delete(self, request: Request, highlight_id: int) -> Response:
        services.highlight_delete(highlight=_owned(request, highlight_id), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["stories"])
class HighlightCoverView(CappedUploadMixin, APIView):
    """The cover image is capped as a profile photo is (STORIES_MAX_AVATAR_BYTES)."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser]
    upload_limit_setting = "STORIES_MAX_AVATAR_BYTES"
    upload_field = "image"

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "HighlightCoverUpload", {"image": serializers.ImageField()}
            )
        },
        responses={
            202: OpenApiResponse(
                HighlightSerializer, description="Kept: `cover_state` is processing until the worker made it."
            ),
            400: error_response("No image, or a file that is not a photo within the pixel limits."),
            404: error_response(NO_SUCH_HIGHLIGHT),
            413: error_response("The file is larger than STORIES_MAX_AVATAR_BYTES."),
        },
        summary="Upload a cover image for a highlight (made by the media worker, like an avatar)",
    )
    def post(self, request: Request, highlight_id: int) -> Response:
        highlight = _owned(request, highlight_id)
        image = self.upload_data(request).get("image")
        if image is None or not hasattr(image, "read"):
            raise ValidationError({"image": ["Choose a photo."]})
        services.highlight_set_cover_image(highlight=highlight, by=request.user, fileobj=image)
        return Response(_own_shown(request, highlight.pk), status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["stories"])
class HighlightOrderView(OwnHighlightsView):
    @extend_schema(
        request=inline_serializer(
            "HighlightOrder", {"highlights": serializers.ListField(child=serializers.IntegerField())}
        ),
        responses={
            200: inline_serializer(
                "HighlightIds", {"highlights": serializers.ListField(child=serializers.IntegerField())}
            ),
            400: error_response("Not every one of your highlights listed exactly once."),
        },
        summary="Put your highlights in a new order on your profile",
    )
    def put(self, request: Request) -> Response:
        ordered = services.highlight_reorder(
            owner=request.user, highlight_ids=_body(request).get("highlights")
        )
        return Response({"highlights": [h.pk for h in ordered]})


@extend_schema(tags=["stories"])
class UserHighlightsView(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "UserHighlights",
                {"results": HighlightSerializer(many=True)},
            ),
            404: error_response(NO_SUCH_PERSON),
        },
        summary="A person's highlights in their order, each with the items you may watch",
        description="Each item keeps its story's audience and blocks; a highlight with nothing "
        "you may watch is left out.",
    )
    def get(self, request: Request, username: str) -> Response:
        person = people.users_active().filter(username=username).first()
        if person is None or people.block_either_way_exists(viewer=request.user, person=person):
            raise NotFound(NO_SUCH_PERSON)
        highlights = highlight_selectors.highlights_shown(
            owner=person, viewer=request.user, prepare=_viewer_state(request.user)
        )
        return Response({"results": [highlight_json(h, request) for h in highlights]})
