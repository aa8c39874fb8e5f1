"""API shapes for people. Reading fields ask selectors; writing goes through services."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stories import selectors as story_selectors

from . import avatars, selectors
from .models import Notification, User


def avatar_url(person: User, request) -> str | None:
    if not person.avatar:
        return None
    url = reverse("accounts:avatar", kwargs={"username": person.username})
    return request.build_absolute_uri(url) if request is not None else url


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=30)
    password = serializers.CharField(write_only=True, max_length=4096, style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True)


class RegisteredSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(source="key")


class PersonSerializer(serializers.Serializer):
    """A person in a list: enough for a row with an avatar and a ring.

    `has_active_story` comes from `live_ids` in the context, found for the whole page in one query.
    """

    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.SerializerMethodField()
    has_active_story = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, person: User) -> str | None:
        return avatar_url(person, self.context.get("request"))

    def get_has_active_story(self, person: User) -> bool:
        return person.pk in self.context.get("live_ids", ())


class FollowSerializer(serializers.Serializer):
    """The optional body of a follow: the story it was made from, for the followee's analytics."""

    from_story = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The story item the follow was made from (player, story page). Counted in its "
        "analytics when it is the followee's and you may see it; ignored otherwise.",
    )


class FollowRowSerializer(PersonSerializer):
    """A follower or followee, with when the follow began."""

    followed_at = serializers.DateTimeField()


class ProfileSerializer(serializers.Serializer):
    """A profile as the requesting viewer sees it."""

    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    bio = serializers.CharField(read_only=True)
    avatar_url = serializers.SerializerMethodField()
    has_active_story = serializers.SerializerMethodField()
    followers_count = serializers.SerializerMethodField()
    following_count = serializers.SerializerMethodField()
    is_following = serializers.SerializerMethodField()
    follows_you = serializers.SerializerMethodField()
    is_friend = serializers.SerializerMethodField()

    def _viewer(self):
        request = self.context.get("request")
        return request.user if request is not None else None

    def _rel(self, person: User) -> selectors.Relationship:
        cache = self.context.setdefault("_relationships", {})
        if person.pk not in cache:
            cache[person.pk] = selectors.relationship(self._viewer(), person)
        return cache[person.pk]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, person: User) -> str | None:
        return avatar_url(person, self.context.get("request"))

    def get_has_active_story(self, person: User) -> bool:
        return story_selectors.has_live_story(person, self._viewer())

    def get_followers_count(self, person: User) -> int:
        return selectors.follower_count(person, self._viewer())

    def get_following_count(self, person: User) -> int:
        return selectors.following_count(person, self._viewer())

    def get_is_following(self, person: User) -> bool:
        return self._rel(person).is_following

    def get_follows_you(self, person: User) -> bool:
        return self._rel(person).follows_you

    def get_is_friend(self, person: User) -> bool:
        return self._rel(person).is_friend


class OwnProfileSerializer(ProfileSerializer):
    """Your own profile: also where a new photo stands (the media worker makes it)."""

    avatar_state = serializers.SerializerMethodField(
        help_text="processing (the old photo shows until the new one is made), ready, failed, "
        "or null: no photo"
    )
    avatar_error = serializers.CharField(read_only=True, help_text="Why the last photo could not be used.")
    archive_stories = serializers.BooleanField(
        read_only=True, help_text="Expired stories are kept in your private archive (/api/v1/me/archive/)."
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_avatar_state(self, person: User) -> str | None:
        return avatars.avatar_state(person)


class OptionalBooleanField(serializers.BooleanField):
    """A multipart boolean left out stays unset (DRF would read it as false)."""

    default_empty_html = serializers.empty


class ProfileUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(
        required=False, allow_blank=True, max_length=User._meta.get_field("display_name").max_length
    )
    bio = serializers.CharField(
        required=False, allow_blank=True, max_length=User._meta.get_field("bio").max_length
    )
    avatar = serializers.FileField(required=False, help_text="An image, sent as multipart/form-data.")
    remove_avatar = serializers.BooleanField(required=False, default=False)
    archive_stories = OptionalBooleanField(
        required=False,
        help_text="true: stories that expire from now on are kept, private to you, instead of purged. "
        "false: none are kept from now on; those already kept stay until you delete them "
        "(DELETE /api/v1/me/archive/ deletes them all).",
    )


class RingPersonSerializer(PersonSerializer):
    """A person next to a comment or a notification: with their id, and the ring when live."""

    id = serializers.IntegerField()


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
