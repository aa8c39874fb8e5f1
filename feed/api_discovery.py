"""Discovery endpoints of /api/v1/ (docs/api.md, "Discovery"): search, a hashtag's stories, a
sound's stories. Thin: read the query, call feed/selectors/search.py, shape the answer. Throttled
like every read (the default anonymous and per-person rates)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from stories import captions
from stories.serializers import AuthorSerializer, SoundSerializer, StorySerializer
from stories_site.api import PAGE_PARAMETERS, error_response, invalid_cursor, page_size
from stories_site.cursors import InvalidCursor

from .selectors import search as discovery

NO_SUCH_HASHTAG = "No such hashtag: a tag is letters, digits and underscores, up to 64."
NO_SUCH_SOUND = "This sound does not exist or is not available."


class HashtagCountSerializer(serializers.Serializer):
    tag = serializers.CharField(help_text='Lower case, without "#".')
    story_count = serializers.IntegerField(help_text="Live stories with the tag that you may see.")


StoryPage = inline_serializer(
    "DiscoveryStoryPage",
    {"results": StorySerializer(many=True), "next": serializers.URLField(allow_null=True)},
)


def _story_page(request: Request, read) -> Response:
    """A page of stories from `read(cursor, size)`, with its `next` link."""
    try:
        page = read(request.query_params.get("cursor") or None, page_size(request))
    except InvalidCursor as exc:
        raise invalid_cursor(exc) from exc
    items = StorySerializer(page.items, many=True, context={"request": request}).data
    following = None
    if page.next_cursor:
        following = replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
    return Response({"results": items, "next": following})


class SearchView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=True,
                description=f"What to look for, 1 to {discovery.MAX_QUERY_LENGTH} characters; a leading "
                '"#" or "@" is ignored.',
            )
        ],
        responses={
            200: inline_serializer(
                "SearchResults",
                {
                    "people": AuthorSerializer(many=True),
                    "sounds": SoundSerializer(many=True),
                    "hashtags": HashtagCountSerializer(many=True),
                },
            ),
            400: error_response("No `q`, an empty one, or one over 100 characters."),
        },
        summary="Search people, sounds and hashtags",
        description="Prefix and substring matches (and near misses on PostgreSQL), at most 10 of each "
        "kind, among what you may see.",
        tags=["discovery"],
    )
    def get(self, request: Request) -> Response:
        found = discovery.search(raw_query=request.query_params.get("q"), viewer=request.user)
        context = {"request": request}
        return Response(
            {
                "people": AuthorSerializer(found.people, many=True, context=context).data,
                "sounds": SoundSerializer(found.sounds, many=True, context=context).data,
                "hashtags": HashtagCountSerializer(found.hashtags, many=True).data,
            }
        )


class HashtagStoriesView(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: StoryPage,
            400: error_response("A bad cursor or page_size."),
            404: error_response(NO_SUCH_HASHTAG),
        },
        summary="Live stories whose caption has #tag, newest first",
        tags=["discovery"],
    )
    def get(self, request: Request, tag: str) -> Response:
        normal = captions.normalize_tag(tag)
        if normal is None:
            raise NotFound(NO_SUCH_HASHTAG)
        return _story_page(
            request,
            lambda cursor, size: discovery.hashtag_stories_page(
                viewer=request.user, tag=normal, cursor=cursor, size=size
            ),
        )


class SoundStoriesView(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: StoryPage,
            400: error_response("A bad cursor or page_size."),
            404: error_response(NO_SUCH_SOUND),
        },
        summary="Live stories that use a sound, newest first",
        tags=["discovery"],
    )
    def get(self, request: Request, sound_id) -> Response:
        sound = discovery.visible_sound(viewer=request.user, sound_id=sound_id)
        if sound is None:
            raise NotFound(NO_SUCH_SOUND)
        return _story_page(
            request,
            lambda cursor, size: discovery.sound_stories_page(
                viewer=request.user, sound=sound, cursor=cursor, size=size
            ),
        )
