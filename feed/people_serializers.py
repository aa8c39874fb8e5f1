"""API shapes of a profile as a viewer sees it (with its story ring), your own profile, its
update and the body of a follow (feed/people_api.py). Reading fields ask selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import avatars
from accounts import selectors as people
from accounts.models import User
from accounts.serializers import avatar_url
from stories import selectors as story_selectors


class FollowSerializer(serializers.Serializer):
    """The optional body of a follow: the story it was made from, for the followee's analytics."""

    from_story = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The story item the follow was made from (player, story page). Counted in its "
        "analytics when it is the followee's and you may see it; ignored otherwise.",
    )


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

    def _rel(self, person: User) -> people.Relationship:
        cache = self.context.setdefault("_relationships", {})
        if person.pk not in cache:
            cache[person.pk] = people.relationship_get(viewer=self._viewer(), person=person)
        return cache[person.pk]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, person: User) -> str | None:
        return avatar_url(person, self.context.get("request"))

    def get_has_active_story(self, person: User) -> bool:
        return story_selectors.author_has_live_story(author=person, viewer=self._viewer())

    def get_followers_count(self, person: User) -> int:
        return people.followers_count(person=person, viewer=self._viewer())

    def get_following_count(self, person: User) -> int:
        return people.following_count(person=person, viewer=self._viewer())

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
        return avatars.avatar_state(user=person)


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
