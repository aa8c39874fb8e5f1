"""API shapes for identity and people in lists (with the ring from `live_ids` in the context,
found for the whole page by the caller). The profile shapes, which ask stories, are
feed/people_serializers.py; the notification's is feed/notifications_serializers.py."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import User


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


class FollowRowSerializer(PersonSerializer):
    """A follower or followee, with when the follow began."""

    followed_at = serializers.DateTimeField()


class RingPersonSerializer(PersonSerializer):
    """A person next to a comment or a notification: with their id, and the ring when live."""

    id = serializers.IntegerField()
