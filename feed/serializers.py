"""JSON shapes for engagement and the feeds (docs/api.md). Shaping only: rules live in
services.py and selectors.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import RingPersonSerializer
from stories.serializers import AuthorSerializer

from . import services
from .models import COMMENT_MAX_LENGTH, Comment


class CommentSerializer(serializers.ModelSerializer):
    """`live_ids` in the context (one query per page) decides the authors' rings."""

    author = serializers.SerializerMethodField()
    can_delete = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "text", "created_at", "can_delete"]
        read_only_fields = fields

    @extend_schema_field(RingPersonSerializer)
    def get_author(self, comment: Comment) -> dict:
        return RingPersonSerializer(comment.author, context=self.context).data

    def get_can_delete(self, comment: Comment) -> bool:
        request = self.context.get("request")
        return services.can_delete_comment(getattr(request, "user", None), comment)


class CommentCreateSerializer(serializers.Serializer):
    # Length is checked after stripping, by the service; this only bounds what is parsed.
    text = serializers.CharField(max_length=COMMENT_MAX_LENGTH * 4, trim_whitespace=False)


class ViewSerializer(serializers.Serializer):
    completed = serializers.BooleanField(required=False, default=False)
    impression = serializers.BooleanField(
        required=False,
        default=True,
        help_text="false: this only completes an impression you already reported (no second impression).",
    )
    watched_ms = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=3_600_000,
        help_text="How far this view got, in milliseconds (the item's retention curve). Report it as "
        "often as you like for one view (pause, next, close, page hidden) with the same view_key: "
        "only the seconds newly reached count.",
    )
    view_key = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$",
        required=False,
        help_text="A random id the client picks for one view, so its later reports go on from the "
        "earlier ones. Without it, each report with watched_ms counts as a view of its own.",
        error_messages={"invalid": "view_key is 8 to 64 letters, digits, '-' or '_'."},
    )


class LikeSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class ShareSerializer(serializers.Serializer):
    url = serializers.URLField()
    share_count = serializers.IntegerField()


class TrayEntrySerializer(serializers.Serializer):
    author = AuthorSerializer()
    has_unseen = serializers.BooleanField()
    item_count = serializers.IntegerField()
    first_unseen_story_id = serializers.UUIDField(allow_null=True)
    latest_published_at = serializers.DateTimeField()
