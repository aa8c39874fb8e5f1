"""Story JSON in and out. Thin: parsing and shaping only; rules are in services.py."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db.models import DateTimeField
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from stories_site.parsers import JSONTextField

from . import attachments, captions, selectors
from .models import Sound, Story
from .options import WHILE_WAITING, Option, options_editable, options_in_json, options_named, story_options

# The story JSON's fields in their published order; an option declared later with `in_json`
# (stories/options.py) follows them without an edit here.
_PUBLISHED_FIELDS = [
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
    "caption_entities",
    "hashtags",
    "alt_text",
    "audience",
    "filter",
    "sound",
    "sound_mode",
    "created_at",
    "publish_at",
    "published_at",
    "expires_at",
    "like_count",
    "comment_count",
    "share_count",
    "liked_by_me",
    "seen_by_me",
    "allow_comments",
    "allow_downloads",
    "allow_replies",
    "lifetime_hours",
    "overlays",
    "stickers",
]
# (JSON name, Story field, whether it is a date) of each declared option the JSON shows.
_JSON_OPTIONS = tuple(
    (option.name, option.story_field, isinstance(Story._meta.get_field(option.story_field), DateTimeField))
    for option in options_in_json()
)
STORY_FIELDS = [
    *_PUBLISHED_FIELDS,
    *(name for name, _, _ in _JSON_OPTIONS if name not in _PUBLISHED_FIELDS),
]


def absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


def attach_shown(stories: list[Story], context: dict) -> None:
    """Give every story what its attachments show (stories/attachments.py; the stickers'
    viewer-specific JSON), a whole page in a constant number of queries; stories that already
    carry it are left alone."""
    request = context.get("request")
    for attachment in attachments.registered():
        if attachment.show is None:
            continue
        pending = [story for story in stories if not hasattr(story, attachment.shown_as)]
        if pending:
            attachment.show(stories=pending, viewer=getattr(request, "user", None), request=request)


def attachments_shown(story: Story, context: dict) -> dict[str, Any]:
    """What each attachment shows of one story (the stickers' JSON), by attachment name, as the
    story JSON has it: for a page that draws them without the rest of the JSON."""
    attach_shown([story], context)
    return {a.name: getattr(story, a.shown_as) for a in attachments.registered() if a.show is not None}


_ANY_ID = "00000000-0000-4000-8000-000000000000"  # fills a <uuid:...> route to learn its shape


class PageLinks:
    """Absolute URLs for a page of stories. Each route is reversed once per page, as the text
    before and after its id, and each story's URL is those two around the story's id: a feed
    page would otherwise spend more time in `reverse()` than in its SQL."""

    def __init__(self, request) -> None:
        self.request = request
        self._shapes: dict[str, tuple[str, str]] = {}
        self._avatars: dict[str, str] = {}

    def _shape(self, route: str) -> tuple[str, str]:
        """(before the id, after the id) in the route's absolute URL."""
        shape = self._shapes.get(route)
        if shape is None:
            url = absolute(self.request, reverse(route, args=[_ANY_ID]))
            before, found, after = url.partition(_ANY_ID)
            if not found or _ANY_ID in after:
                raise ValueError(f"{route} is not a route with one story id in its URL")
            shape = self._shapes[route] = (before, after)
        return shape

    def story(self, route: str, pk) -> str:
        before, after = self._shape(route)
        return f"{before}{pk}{after}"

    def avatar(self, user: User) -> str | None:
        if not user.avatar:
            return None
        url = self._avatars.get(user.username)
        if url is None:
            url = self._avatars[user.username] = absolute(
                self.request, reverse("accounts:avatar", args=[user.username])
            )
        return url


def _links(context: dict) -> PageLinks:
    """The page's PageLinks, made on first use and kept in the serializer context."""
    links = context.get("links")
    if links is None:
        links = context["links"] = PageLinks(context.get("request"))
    return links


_DATETIME = serializers.DateTimeField()  # DRF's own formatting, so every date reads the same


def _datetime(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def author_json(user: User, links: PageLinks) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "avatar_url": links.avatar(user),
    }


class AuthorSerializer(serializers.ModelSerializer):
    avatar_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "avatar_url"]

    def to_representation(self, user: User) -> dict:
        return author_json(user, _links(self.context))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, user: User) -> str | None:
        return _links(self.context).avatar(user)


class SoundSerializer(serializers.ModelSerializer):
    audio_url = serializers.SerializerMethodField()
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="processing (the media worker is making it), ready or failed"
    )

    class Meta:
        model = Sound
        fields = [
            "id",
            "title",
            "owner",
            "duration",
            "use_count",
            "audio_url",
            "created_at",
            "state",
            "published",
            "failure_reason",
        ]
        read_only_fields = ["published", "failure_reason"]

    def get_audio_url(self, sound: Sound) -> str:
        return absolute(self.context.get("request"), reverse("stories:sound_audio", args=[sound.pk]))


class SoundUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=100)


class StoryListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        stories = list(data.all() if hasattr(data, "all") else data)
        attach_shown(stories, self.context)
        return super().to_representation(stories)


def story_json(story: Story, context: dict) -> dict:
    """A story as the API shows it to the viewer in `context["request"]`: the fields declared by
    StorySerializer (which documents them), built directly because feed pages serialise twenty
    stories at a time and DRF's per-field machinery cost more than the page's SQL."""
    links = _links(context)
    request = context.get("request")
    viewer = getattr(request, "user", None)
    has_media = bool(story.media)
    downloadable = has_media and selectors.story_download_allowed(story=story, viewer=viewer)
    attach_shown([story], context)
    shown = dict.fromkeys(STORY_FIELDS)  # the published order, whatever order they are filled in
    shown.update(
        {
            "id": str(story.pk),
            "author": author_json(story.author, links),
            "kind": story.kind,
            "state": story.state,
            "failure_reason": story.failure_reason,
            "media_url": links.story("stories:media", story.pk) if has_media else None,
            "poster_url": links.story("stories:poster", story.pk) if has_media else None,
            "download_url": links.story("api:story-download", story.pk) if downloadable else None,
            "duration": story.duration,
            "width": story.width,
            "height": story.height,
            "caption_entities": story.caption_entities or [],
            "hashtags": captions.hashtags(story.caption_entities),
            "sound": SoundSerializer(story.sound, context=context).data if story.sound_id else None,
            "created_at": _datetime(story.created_at),
            "published_at": _datetime(story.published_at),
            "expires_at": _datetime(story.expires_at),
            "like_count": story.like_count,
            # What the comments list shows this viewer (feed.selectors.stories_with_viewer_state).
            "comment_count": getattr(story, "visible_comment_count", story.comment_count),
            "share_count": story.share_count,
            # Annotated by feed.selectors.stories_with_viewer_state (no query per story); False without it.
            "liked_by_me": bool(getattr(story, "liked_by_me", False)),
            "seen_by_me": bool(getattr(story, "seen_by_me", False)),
        }
    )
    for attachment in attachments.registered():  # the stickers
        if attachment.show is not None:
            shown[attachment.name] = getattr(story, attachment.shown_as)
    for name, field, is_date in _JSON_OPTIONS:  # the declared options, as stored (stories/options.py)
        value = getattr(story, field)
        shown[name] = _datetime(value) if is_date else value
    return shown


class CaptionEntitySerializer(serializers.Serializer):
    """A hashtag, mention or link in a caption (stories/captions.py): `caption[start:end]` by
    Unicode code point is its text; `value` is the tag (lower case, no "#"), the username or
    the URL."""

    type = serializers.ChoiceField(choices=[captions.HASHTAG, captions.MENTION, captions.LINK])
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=0)
    value = serializers.CharField()


class StorySerializer(serializers.ModelSerializer):
    """Documents the story JSON (the schema reads these fields); `story_json` builds it."""

    author = AuthorSerializer(read_only=True)
    media_url = serializers.URLField(allow_null=True, read_only=True)
    poster_url = serializers.URLField(allow_null=True, read_only=True)
    download_url = serializers.URLField(allow_null=True, read_only=True)
    filter = serializers.CharField(source="filter_name", read_only=True)
    sound = SoundSerializer(read_only=True, allow_null=True)
    liked_by_me = serializers.BooleanField(read_only=True)
    seen_by_me = serializers.BooleanField(read_only=True)
    stickers = serializers.ListField(child=serializers.DictField(), read_only=True)
    caption_entities = CaptionEntitySerializer(many=True, read_only=True)
    hashtags = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The caption's tags, lower case, no #."
    )

    class Meta:
        model = Story
        list_serializer_class = StoryListSerializer
        fields = STORY_FIELDS
        read_only_fields = fields

    def to_representation(self, story: Story) -> dict:
        return story_json(story, self.context)


class StoryUpdateSerializer(serializers.Serializer):
    """A PATCH of a story (docs/api.md, "Editing a story"): only the fields sent change. This reads
    types only; the values are checked by the upload's own rule (services.story_options_clean, through
    services.editing.story_update), so an edit is refused exactly when an upload would be."""

    caption = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="At most 500 characters; hashtags and mentions are found again.",
    )
    alt_text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="At most 500 characters."
    )
    audience = serializers.CharField(required=False, help_text="everyone, followers or friends.")
    allow_comments = serializers.BooleanField(required=False)
    allow_downloads = serializers.BooleanField(required=False)
    allow_replies = serializers.BooleanField(required=False)
    publish_at = serializers.CharField(
        required=False,
        help_text="A scheduled story only: when it goes live, an ISO 8601 time with its UTC offset, "
        "now to 7 days ahead (checked by the scheduling rule, as at upload).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        """The fields above document the options editable today; one declared editable later
        (stories/options.py) gets its upload field here."""
        fields = super().get_fields()
        editable = options_named(names=[*options_editable(), *options_editable(when=WHILE_WAITING)])
        fields.update(
            {
                option.name: option_field(option, partial=True)
                for option in editable
                if option.name not in fields
            }
        )
        return fields

    def to_internal_value(self, data):
        """Fields that cannot change are refused with the service's words, not silently dropped."""
        from .services.editing import story_refuse_fixed

        if hasattr(data, "keys"):
            story_refuse_fixed(names=set(data.keys()) - set(self.fields))
        return super().to_internal_value(data)


class OptionalBooleanField(serializers.BooleanField):
    """A multipart boolean that falls back to its default when absent (DRF would read False)."""

    default_empty_html = serializers.empty


class DocumentedMaxLength(MaxLengthValidator):
    """A limit the schema shows (drf-spectacular reads it off the validators) and the upload
    does not check here: the option's own check (stories/options.py) does, once, in its words."""

    def __call__(self, value: Any) -> None:
        return None


class OptionChoiceField(serializers.ChoiceField):
    """The choices, for the schema; whether a value is one of them is the option's own check."""

    def to_internal_value(self, data: Any) -> str:
        return str(data)


def option_field(option: Option, *, partial: bool = False) -> serializers.Field:
    """The upload's field for a declared option: its type is read here, its value checked there.
    `partial`: for an edit, where an absent field means "unchanged", not the default."""
    common: dict[str, Any] = {"required": False, "help_text": option.help_text}
    if not partial:
        common["default"] = option.default
    if option.kind == "text":
        limits = [DocumentedMaxLength(option.max_length)] if option.max_length is not None else []
        return serializers.CharField(allow_blank=True, validators=limits, **common)
    if option.kind == "choice":
        return OptionChoiceField(choices=list(option.choices()), **common)
    if option.kind == "boolean":
        return OptionalBooleanField(**common)
    if option.kind in ("number", "integer"):
        if option.kind == "number":
            number = serializers.FloatField(**common)
        else:
            number = serializers.IntegerField(allow_null=option.default is None, **common)
        number.min_value = option.min_value  # for the schema only, as DocumentedMaxLength
        return number
    if option.kind == "uuid":
        return serializers.UUIDField(allow_null=option.default is None, **common)
    if option.kind == "json":
        return JSONTextField(**common)
    raise ValueError(f"Option {option.name}: no upload field for kind {option.kind!r}")


class StoryCreateSerializer(serializers.Serializer):
    """The multipart upload (docs/api.md, "Stories"). `overlays` and `stickers` are JSON text, read
    with the limits of a JSON body (stories_site/parsers.py)."""

    media = serializers.FileField(help_text="A clip (MP4, MOV, WebM, MKV) or photo (JPEG, PNG, WebP, HEIC).")

    def get_fields(self) -> dict[str, serializers.Field]:
        """`media`, then one field per declared option (stories/options.py), the attachments'
        included: built here, not at import, since those are registered by AppConfig.ready()."""
        fields = super().get_fields()
        fields.update({option.name: option_field(option) for option in story_options()})
        return fields
