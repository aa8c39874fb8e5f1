"""API for people with their stories: profiles (with the ring), people lists (with rings),
follows (from a story too), blocks, and your own profile (its photo goes through the media
module; the archive switch is stories'). `users/...` under /api/v1/ (docs/api.md, "Accounts and
people"); the routes are feed/people_api_urls.py.

Here, in feed, because these answers need accounts, stories and their media together; accounts,
the lowest layer, keeps the identity endpoints (accounts/api.py)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors as people
from accounts import services as people_services
from accounts.api import NO_SUCH_PERSON, PLAIN_ERRORS
from accounts.models import USERNAME_PATTERN, User
from accounts.serializers import FollowRowSerializer, PersonSerializer
from stories import selectors as story_selectors
from stories.services import avatars
from stories.services.archive import archive_switch
from stories.services.follows import follow_from_story
from stories.uploads import CappedUploadMixin
from stories_site.api import CursorPagination, error_response

from .people_serializers import (
    FollowSerializer,
    OwnProfileSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
)


class UsernameCursorPagination(CursorPagination):
    """People lists without a follow row behind them (search) go in username order."""

    ordering = "username"


@extend_schema(tags=["people"])
class UserViewSet(CappedUploadMixin, viewsets.GenericViewSet):
    """Profiles, follows and blocks. People you may not see (blocks, suspensions) answer 404.
    A profile photo over STORIES_MAX_AVATAR_BYTES stops streaming at the cap and answers 413."""

    upload_limit_setting = "STORIES_MAX_AVATAR_BYTES"
    upload_field = "avatar"

    queryset = User.objects.none()  # for the schema only: lookups go through selectors
    serializer_class = ProfileSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = CursorPagination
    lookup_field = "username"
    lookup_value_regex = USERNAME_PATTERN

    def get_object(self) -> User:
        person = people.profile_get(username=self.kwargs["username"], viewer=self.request.user)
        if person is None:
            raise NotFound(NO_SUCH_PERSON)
        return person

    def _any_person(self) -> User:
        """Block and unblock reach people whose profile the block hides."""
        person = people.person_get(username=self.kwargs["username"])
        if person is None:
            raise NotFound(NO_SUCH_PERSON)
        return person

    def _profile(self, person: User, code: int = status.HTTP_200_OK) -> Response:
        return Response(ProfileSerializer(person, context=self.get_serializer_context()).data, status=code)

    def _people_page(self, persons: list[User], paginator, serializer_class) -> Response:
        live_ids = story_selectors.authors_with_live_story(
            author_ids=[p.pk for p in persons], viewer=self.request.user
        )
        context = {**self.get_serializer_context(), "live_ids": live_ids}
        return paginator.get_paginated_response(serializer_class(persons, many=True, context=context).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Username or display name prefix (min. 1 character).")
        ],
        responses=PersonSerializer(many=True),
        summary="Find people (autocomplete)",
    )
    def list(self, request: Request) -> Response:
        paginator = UsernameCursorPagination()
        rows = people.people_search(query=request.query_params.get("search", ""), viewer=request.user)
        persons = paginator.paginate_queryset(rows, request, view=self)
        return self._people_page(persons, paginator, PersonSerializer)

    @extend_schema(responses={200: ProfileSerializer, 404: PLAIN_ERRORS[404]}, summary="A profile")
    def retrieve(self, request: Request, username: str) -> Response:
        return self._profile(self.get_object())

    @extend_schema(methods=["GET"], responses=OwnProfileSerializer, summary="Your profile")
    @extend_schema(
        methods=["PATCH"],
        request={"multipart/form-data": ProfileUpdateSerializer, "application/json": ProfileUpdateSerializer},
        responses={
            200: OwnProfileSerializer,
            202: OpenApiResponse(
                OwnProfileSerializer,
                description="Saved; the new photo is being made (avatar_state processing): "
                "avatar_url still shows the old one until it is ready.",
            ),
            400: PLAIN_ERRORS[400],
            413: error_response("The photo is over STORIES_MAX_AVATAR_BYTES."),
        },
        summary="Change your profile",
        description="display_name, bio, and avatar (multipart). `remove_avatar: true` drops the photo. "
        "A new photo is made by a worker: poll this endpoint until avatar_state is ready or failed. "
        "`archive_stories` switches the private archive of expired stories on or off.",
    )
    @action(detail=False, methods=["get", "patch"], permission_classes=[IsAuthenticated])
    def me(self, request: Request) -> Response:
        code = status.HTTP_200_OK
        if request.method == "PATCH":
            incoming = ProfileUpdateSerializer(data=self.upload_data(request))
            incoming.is_valid(raise_exception=True)
            data = incoming.validated_data
            avatars.profile_update(
                viewer=request.user,
                display_name=data.get("display_name"),
                bio=data.get("bio"),
                avatar=data.get("avatar"),
                remove_avatar=data["remove_avatar"],
            )
            if "archive_stories" in data:
                archive_switch(viewer=request.user, enabled=data["archive_stories"])
            request.user.refresh_from_db()
            if request.user.avatar_pending:
                code = status.HTTP_202_ACCEPTED
        serialized = OwnProfileSerializer(request.user, context=self.get_serializer_context())
        return Response(serialized.data, status=code)

    @extend_schema(
        methods=["POST"],
        request=FollowSerializer,
        responses={
            201: OpenApiResponse(
                ProfileSerializer, description="Now following; the profile with new counts."
            ),
            200: OpenApiResponse(ProfileSerializer, description="Already following."),
            **PLAIN_ERRORS,
        },
        summary="Follow",
    )
    @extend_schema(
        methods=["DELETE"], request=None, responses={204: None, 404: PLAIN_ERRORS[404]}, summary="Unfollow"
    )
    @action(detail=True, methods=["post", "delete"], permission_classes=[IsAuthenticated])
    def follow(self, request: Request, username: str) -> Response:
        person = self.get_object()
        if request.method == "DELETE":
            people_services.follow_delete(follower=request.user, followee=person)
            return Response(status=status.HTTP_204_NO_CONTENT)
        incoming = FollowSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        source = incoming.validated_data.get("from_story")
        created = follow_from_story(viewer=request.user, followee=person, story_id=source)
        return self._profile(person, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        methods=["POST"],
        request=None,
        responses={
            201: OpenApiResponse(description="Blocked; follows both ways ended."),
            200: OpenApiResponse(description="Already blocked."),
            400: PLAIN_ERRORS[400],
            404: PLAIN_ERRORS[404],
        },
        summary="Block",
    )
    @extend_schema(
        methods=["DELETE"], request=None, responses={204: None, 404: PLAIN_ERRORS[404]}, summary="Unblock"
    )
    @action(detail=True, methods=["post", "delete"], permission_classes=[IsAuthenticated])
    def block(self, request: Request, username: str) -> Response:
        person = self._any_person()
        if request.method == "DELETE":
            people_services.block_delete(blocker=request.user, blocked=person)
            return Response(status=status.HTTP_204_NO_CONTENT)
        created = people_services.block_create(blocker=request.user, blocked=person)
        return Response(
            {"username": person.username, "is_blocked": True},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def _follow_rows(self, which: str) -> Response:
        person = self.get_object()
        if which == "followers":
            rows, attr = people.followers_list(person=person, viewer=self.request.user), "follower"
        else:
            rows, attr = people.following_list(person=person, viewer=self.request.user), "followee"
        paginator = self.paginator
        page = paginator.paginate_queryset(rows, self.request, view=self)
        persons = []
        for row in page:
            other = getattr(row, attr)
            other.followed_at = row.created_at
            persons.append(other)
        return self._people_page(persons, paginator, FollowRowSerializer)

    @extend_schema(responses=FollowRowSerializer(many=True), summary="Followers, newest first")
    @action(detail=True, methods=["get"])
    def followers(self, request: Request, username: str) -> Response:
        return self._follow_rows("followers")

    @extend_schema(responses=FollowRowSerializer(many=True), summary="Following, newest first")
    @action(detail=True, methods=["get"])
    def following(self, request: Request, username: str) -> Response:
        return self._follow_rows("following")
