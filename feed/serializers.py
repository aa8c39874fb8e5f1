"""JSON shapes for engagement and the feeds (docs/api.md). Shaping only: rules live in
services.py and selectors.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import RingPersonSerializer
from stories.serializers import AuthorSerializer

from . import services
from .models import COMMENT_MAX_LENGTH, MESSAGE_MAX_LENGTH, REACTIONS, Comment, Conversation, Message


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
        return services.comment_can_delete(viewer=getattr(request, "user", None), comment=comment)


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


class MessageSerializer(serializers.Serializer):
    """A message; `story` is the id of the story a reply or reaction answered, null once it is
    gone, and `story_available` says whether the reader can still watch it."""

    id = serializers.IntegerField()
    conversation = serializers.IntegerField(source="conversation_id")
    sender = serializers.CharField(source="sender.username")
    kind = serializers.ChoiceField(choices=Message.Kind.choices)
    text = serializers.CharField()
    story = serializers.UUIDField(source="story_id", allow_null=True)
    story_available = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_story_available(self, message: Message) -> bool:
        return message.story_id is not None and message.story_id in self.context.get("visible_story_ids", ())


class MessageCreateSerializer(serializers.Serializer):
    # Length is checked after stripping, by the service; this only bounds what is parsed.
    text = serializers.CharField(max_length=MESSAGE_MAX_LENGTH * 4, trim_whitespace=False)


class ReactionCreateSerializer(serializers.Serializer):
    emoji = serializers.CharField(max_length=16, help_text="One of: " + " ".join(REACTIONS))


class LastMessageSerializer(serializers.Serializer):
    sender = serializers.CharField()
    kind = serializers.CharField()
    text = serializers.CharField()


class ConversationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    other = serializers.SerializerMethodField()
    last_message = serializers.SerializerMethodField()
    last_message_at = serializers.DateTimeField()
    unread_count = serializers.IntegerField()

    @extend_schema_field(RingPersonSerializer)
    def get_other(self, conversation: Conversation) -> dict:
        viewer = self.context["request"].user
        other = conversation.person_b if conversation.person_a_id == viewer.pk else conversation.person_a
        return RingPersonSerializer(other, context=self.context).data

    @extend_schema_field(LastMessageSerializer(allow_null=True))
    def get_last_message(self, conversation: Conversation) -> dict | None:
        if conversation.last_text is None:
            return None
        sender = (
            conversation.person_a
            if conversation.last_sender_id == conversation.person_a_id
            else conversation.person_b
        )
        return {"sender": sender.username, "kind": conversation.last_kind, "text": conversation.last_text}
