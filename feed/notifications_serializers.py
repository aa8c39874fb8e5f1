"""The API shape of a notification (feed/notifications_api.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import RingPersonSerializer

from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """`live_ids` in the context (one query per page) decides the actors' rings."""

    actor = serializers.SerializerMethodField()
    story_id = serializers.UUIDField(read_only=True, allow_null=True)
    text = serializers.CharField(
        source="shown_text",
        read_only=True,
        help_text=(
            "A comment, reply or reaction notification's comment or message, as it is now; the"
            " question asked; the Add Yours prompt; a notice's own words; or empty."
        ),
    )
    summary = serializers.CharField(
        read_only=True, help_text="What happened, in words that follow the actor's name."
    )
    link = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=(
            "The site path the notification leads to: the conversation (reply, reaction), the Q&A"
            " inbox (question), the actor's profile (follow), else the story in the player; or null."
        ),
    )
    conversation_id = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "actor",
            "story_id",
            "conversation_id",
            "text",
            "summary",
            "link",
            "created_at",
            "read",
        ]
        read_only_fields = fields

    @extend_schema_field(RingPersonSerializer)
    def get_actor(self, notification: Notification) -> dict:
        return RingPersonSerializer(notification.actor, context=self.context).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_conversation_id(self, notification: Notification) -> int | None:
        """A reply's or reaction's conversation (GET /api/v1/conversations/{id}/messages/)."""
        return notification.message.conversation_id if notification.message_id else None

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None
