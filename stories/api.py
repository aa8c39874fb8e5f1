"""Story endpoints of /api/v1/. Thin: parse, call a service or selector, shape the answer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors as people
from accounts.api import NO_SUCH_PERSON
from stories_site.api import CursorPagination, error_response

from . import page_parts, selectors, services
from .lifecycle import State
from .models import Story
from .private_media import download_response
from .serializers import (
    SoundSerializer,
    SoundUploadSerializer,
    StoryCreateSerializer,
    StorySerializer,
    StoryUpdateSerializer,
)
from .services.archive import archive_delete
from .services.editing import story_update
from .uploads import CappedUploadMixin


class UploadThrottle(ScopedRateThrottle):
    scope_attr = "throttle_scope"

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


class UploadView(CappedUploadMixin, APIView):
    """Installs the streaming size cap before the body is read (stories/uploads.py)."""

    parser_classes = [MultiPartParser]
    throttle_scope = "upload"

    def get_throttles(self):
        return [*super().get_throttles(), UploadThrottle()]


def story_for_viewer(request: Request, story_id) -> Story:
    """The gate's API answer (stories.selectors.story_for_viewer, Purpose.API): a live story the
    viewer may see, or their own item in any state but gone ones, with the viewer's state."""
    return selectors.story_for_viewer(
        story_id=story_id,
        viewer=request.user,
        purpose=selectors.Purpose.API,
        prepare=page_parts.stories_annotator(viewer=request.user),
    )


def authors_story(request: Request, story_id, refusal: str) -> Story:
    """The requester's own story for a change (not deleted or removed). Anyone else gets 403 with
    `refusal` when they may see the story, else the 404 of a story that does not exist."""
    story = Story.objects.filter(pk=story_id).first() if request.user.is_authenticated else None
    if story is None or story.state in (State.DELETED, State.REMOVED):
        raise selectors.StoryNotFound
    if story.author_id != request.user.pk:
        if selectors.story_visible(story=story, viewer=request.user):
            raise PermissionDenied(refusal)
        raise selectors.StoryNotFound
    return story


@extend_schema(tags=["stories"])
class StoryCreateView(UploadView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=StoryCreateSerializer,
        responses={
            201: OpenApiResponse(
                StorySerializer,
                description="Processed inline: ready, or scheduled (waiting for its publish_at).",
            ),
            202: OpenApiResponse(StorySerializer, description="Accepted: processing in the background."),
            400: error_response("Bad input: `errors` names the fields (media, stickers, overlays...)."),
            413: error_response("The file is larger than STORIES_MAX_UPLOAD_BYTES."),
        },
        summary="Post a story item",
    )
    def post(self, request: Request) -> Response:
        serializer = StoryCreateSerializer(data=self.upload_data(request))
        serializer.is_valid(raise_exception=True)
        choices = dict(serializer.validated_data)
        upload = choices.pop("media")
        options = services.story_options_clean(author=request.user, **choices)
        story = services.story_create(author=request.user, upload=upload, options=options)
        story.refresh_from_db()
        done = story.state in (State.READY, State.SCHEDULED)
        code = status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED
        return Response(StorySerializer(story, context={"request": request}).data, status=code)


@extend_schema(tags=["stories"])
class StoryDetailView(APIView):
    @extend_schema(responses=StorySerializer, summary="A story item")
    def get(self, request: Request, story_id) -> Response:
        story = story_for_viewer(request, story_id)
        return Response(StorySerializer(story, context={"request": request}).data)

    @extend_schema(
        request=StoryUpdateSerializer,
        responses={
            200: OpenApiResponse(StorySerializer, description="The story as saved."),
            400: error_response(
                "A value an upload would refuse, a field that cannot change after posting, "
                "publish_at on a story that is not scheduled, or a story that expired."
            ),
            403: error_response("Someone else's story that you can see: only its author edits it."),
            404: error_response("No such story, or not one you may see."),
        },
        summary="Edit your story item: caption, alt text, audience, comments, downloads, replies, "
        "and publish_at while it is scheduled",
        description="Only the fields sent change; each is checked by the upload's own rule. The change "
        "shows at once in every feed, page and media answer.",
    )
    def patch(self, request: Request, story_id) -> Response:
        story = authors_story(request, story_id, "Only the author can edit this story.")
        incoming = StoryUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = story_update(story=story, by=request.user, **incoming.validated_data)
        rows = Story.objects.select_related("author", "sound").filter(pk=story.pk)
        saved = page_parts.stories_annotate(stories=rows, viewer=request.user).get()
        return Response(StorySerializer(saved, context={"request": request}).data)

    @extend_schema(responses={204: None}, summary="Delete your story item; its media goes at once")
    def delete(self, request: Request, story_id) -> Response:
        story = authors_story(request, story_id, "Only the author can delete this story.")
        services.story_delete(story=story, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["stories"])
class StoryDownloadView(APIView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The file, as an attachment."),
            (206, "application/octet-stream"): OpenApiResponse(description="The part asked for by `Range`."),
            302: OpenApiResponse(description="With S3 storage: a short-lived link to the file."),
            304: OpenApiResponse(description="Not modified (`If-None-Match`)."),
            404: error_response("No such story, not one you may see, or not downloadable by you."),
            416: OpenApiResponse(description="A `Range` outside the file."),
        },
        summary="Download a story item's media (its author, or anyone when the author allows it)",
    )
    def get(self, request: Request, story_id):
        story = selectors.story_for_viewer(
            story_id=story_id, viewer=request.user, purpose=selectors.Purpose.DOWNLOAD
        )
        return download_response(request, story)


class UserStoriesView(APIView):
    """An author's live Story: its items, oldest first, in one page."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "AuthorStory",
                {"results": StorySerializer(many=True), "next": serializers.URLField(allow_null=True)},
            ),
            404: error_response(NO_SUCH_PERSON),
        },
        summary="An author's live Story: its items, oldest first (one page: `next` is always null)",
        tags=["stories"],
    )
    def get(self, request: Request, username: str) -> Response:
        author = people.users_active().filter(username=username).first()
        if author is None or people.block_either_way_exists(viewer=request.user, person=author):
            raise NotFound(NO_SUCH_PERSON)
        stories = selectors.author_story(author=author, viewer=request.user).select_related("author", "sound")
        stories = page_parts.stories_annotate(stories=stories, viewer=request.user)
        items = StorySerializer(stories, many=True, context={"request": request}).data
        return Response({"results": items, "next": None})


@extend_schema(tags=["stories"])
class MyStoriesView(generics.ListAPIView):
    """Your own items in every state a person cares about: processing, ready or failed."""

    serializer_class = StorySerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        stories = selectors.stories_own(author=self.request.user).select_related("author", "sound")
        return page_parts.stories_annotate(stories=stories, viewer=self.request.user)


class ArchivePagination(CursorPagination):
    ordering = "-published_at"


@extend_schema(tags=["stories"])
class ArchiveView(generics.ListAPIView):
    """Your private archive: items that expired while your archive was on, newest first. Their
    media plays for you alone; deleting one (DELETE /api/v1/stories/{id}/) removes its files."""

    serializer_class = StorySerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = ArchivePagination

    def get_queryset(self):
        stories = selectors.archive_for(viewer=self.request.user).select_related("author", "sound")
        return page_parts.stories_annotate(stories=stories, viewer=self.request.user)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("ArchiveDeleted", {"deleted": serializers.IntegerField()}),
        },
        summary="Delete your whole archive: every item's files leave storage at once",
    )
    def delete(self, request: Request) -> Response:
        return Response({"deleted": archive_delete(viewer=request.user)})


QUEUED_SOUND = OpenApiResponse(
    SoundSerializer, description="Queued: state processing until the worker made it."
)


def sound_answer(request: Request, sound, *, field: str) -> Response:
    """201 once the sound is ready (processed inline, or lifted before), 202 while the media
    worker makes it; a failure already known (an eager worker) is a plain 400 on `field`."""
    sound.refresh_from_db()
    if sound.is_removed:
        raise NotFound("The story this sound came from is gone.")
    if sound.state == "failed":
        raise serializers.ValidationError({field: sound.failure_reason})
    code = status.HTTP_201_CREATED if sound.state == "ready" else status.HTTP_202_ACCEPTED
    return Response(SoundSerializer(sound, context={"request": request}).data, status=code)


def sounds_for(user):
    """Ready sounds the person may hear, and, signed in, their own in any state."""
    sounds = services.sounds_available(viewer=user)
    if user.is_authenticated:
        sounds = sounds | services.sounds_owned(owner=user)
    return sounds.select_related("owner").distinct()


@extend_schema(tags=["sounds"])
class SoundListView(UploadView, generics.ListAPIView):
    serializer_class = SoundSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return services.sounds_available(viewer=self.request.user).select_related("owner")

    @extend_schema(
        request=SoundUploadSerializer,
        responses={
            201: SoundSerializer,
            202: QUEUED_SOUND,
        },
        summary="Add an original sound",
    )
    def post(self, request: Request) -> Response:
        serializer = SoundUploadSerializer(data=self.upload_data(request))
        serializer.is_valid(raise_exception=True)
        sound = services.sound_create(
            owner=request.user,
            upload=serializer.validated_data["file"],
            title=serializer.validated_data["title"],
        )
        return sound_answer(request, sound, field="file")


@extend_schema(tags=["sounds"])
class SoundDetailView(generics.RetrieveAPIView):
    """A sound you may hear; your own also while it is processing or after it failed."""

    serializer_class = SoundSerializer
    lookup_url_kwarg = "sound_id"

    def get_queryset(self):
        return sounds_for(self.request.user)


@extend_schema(tags=["sounds"])
class SoundPublishView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: SoundSerializer,
            400: error_response("The sound is not ready yet, or was withdrawn."),
            404: error_response("You have no such sound."),
        },
        summary="Publish a sound lifted from your story",
        description="A lifted sound is heard only by its story's audience and goes with the story; "
        "published, it is public and stays.",
    )
    def post(self, request: Request, sound_id) -> Response:
        sound = services.sounds_owned(owner=request.user).filter(pk=sound_id).first()
        if sound is None:
            raise NotFound("You have no such sound.")
        sound = services.sound_publish(sound=sound, by=request.user)
        return Response(SoundSerializer(sound, context={"request": request}).data)


@extend_schema(tags=["stories"])
class UseSoundView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: SoundSerializer,
            202: QUEUED_SOUND,
            400: error_response("A photo, or a clip without sound."),
            403: error_response("A story not shared with everyone lends its sound to its author only."),
            404: error_response("No such story, or not one you may see."),
        },
        summary="Use this story's sound",
    )
    def post(self, request: Request, story_id) -> Response:
        story = story_for_viewer(request, story_id)
        sound = services.sound_create_from_story(story=story, by=request.user)
        return sound_answer(request, sound, field="detail")
