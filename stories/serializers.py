"""Story JSON in and out. Thin: parsing and shaping only; rules are in services.py."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from stickers.selectors import with_stickers

from . import media
from .models import Audience, Sound, SoundMode, Story


def absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class AuthorSerializer(serializers.ModelSerializer):
    avatar_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "avatar_url"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, user: User) -> str | None:
        if not user.avatar:
            return None
        return absolute(self.context.get("request"), reverse("accounts:avatar", args=[user.username]))


class SoundSerializer(serializers.ModelSerializer):
    audio_url = serializers.SerializerMethodField()
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Sound
        fields = ["id", "title", "owner", "duration", "use_count", "audio_url", "created_at"]

    def get_audio_url(self, sound: Sound) -> str:
        return absolute(self.context.get("request"), reverse("stories:sound_audio", args=[sound.pk]))


class SoundUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=100)


def attach_stickers(stories: list[Story], context: dict) -> None:
    """Give every story its viewer-specific sticker JSON, a whole page in a constant number of
    queries; stories that already carry it are left alone."""
    pending = [story for story in stories if not hasattr(story, "sticker_data")]
    if pending:
        request = context.get("request")
        with_stickers(pending, getattr(request, "user", None), request=request)


class StoryListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        stories = list(data.all() if hasattr(data, "all") else data)
        attach_stickers(stories, self.context)
        return super().to_representation(stories)


class StorySerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    media_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    filter = serializers.CharField(source="filter_name", read_only=True)
    sound = SoundSerializer(read_only=True)
    liked_by_me = serializers.SerializerMethodField()
    seen_by_me = serializers.SerializerMethodField()
    stickers = serializers.SerializerMethodField()

    class Meta:
        model = Story
        list_serializer_class = StoryListSerializer
        fields = [
            "id",
            "author",
            "kind",
            "state",
            "failure_reason",
            "media_url",
            "poster_url",
            "download_url",
            "duration",
            "width",
            "height",
            "caption",
            "alt_text",
            "audience",
            "filter",
            "sound",
            "sound_mode",
            "created_at",
            "published_at",
            "expires_at",
            "like_count",
            "comment_count",
            "share_count",
            "liked_by_me",
            "seen_by_me",
            "allow_comments",
            "allow_downloads",
            "overlays",
            "stickers",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_media_url(self, story: Story) -> str | None:
        if not story.media:
            return None
        return absolute(self.context.get("request"), reverse("stories:media", args=[story.pk]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_poster_url(self, story: Story) -> str | None:
        if not story.media:
            return None
        return absolute(self.context.get("request"), reverse("stories:poster", args=[story.pk]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, story: Story) -> str | None:
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        if not story.media or not (story.allow_downloads or (viewer and viewer.pk == story.author_id)):
            return None
        return absolute(request, reverse("api:story-download", args=[story.pk]))

    def get_liked_by_me(self, story: Story) -> bool:
        """Annotated by feed.selectors.with_viewer_state (no query per story); False without it."""
        return bool(getattr(story, "liked_by_me", False))

    def get_seen_by_me(self, story: Story) -> bool:
        """Annotated by feed.selectors.with_viewer_state, like `liked_by_me`."""
        return bool(getattr(story, "seen_by_me", False))

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_stickers(self, story: Story) -> list:
        attach_stickers([story], self.context)
        return story.sticker_data


class OptionalBooleanField(serializers.BooleanField):
    """A multipart boolean that falls back to its default when absent (DRF would read False)."""

    default_empty_html = serializers.empty


class StoryCreateSerializer(serializers.Serializer):
    """The multipart upload. Field names follow ../shared/api-v1.md."""

    media = serializers.FileField(help_text="A clip (MP4, MOV, WebM, MKV) or photo (JPEG, PNG, WebP, HEIC).")
    caption = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    alt_text = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    audience = serializers.ChoiceField(choices=Audience.choices, required=False, default=Audience.EVERYONE)
    filter = serializers.ChoiceField(choices=[], required=False, default="none")
    sound = serializers.UUIDField(required=False, allow_null=True, default=None)
    sound_mode = serializers.ChoiceField(choices=SoundMode.choices, required=False, default=SoundMode.MIX)
    trim_start = serializers.FloatField(required=False, default=0.0, min_value=0)
    overlays = serializers.JSONField(required=False, binary=True, default=list)
    stickers = serializers.JSONField(required=False, binary=True, default=list)
    reply_to_sticker = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The id of an Add Yours sticker this story answers.",
    )
    answer = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The id of a Q&A question this story answers."
    )
    allow_comments = OptionalBooleanField(required=False, default=True)
    allow_downloads = OptionalBooleanField(required=False, default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filter"].choices = media.filter_choices()
