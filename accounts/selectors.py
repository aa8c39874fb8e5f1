"""Reads about people and the relations between them. Pure queries; nothing here writes."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Block, Follow, User

Viewer = User | AnonymousUser | None


def viewer_authenticated(*, viewer: Viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def users_active() -> QuerySet[User]:
    """People who can be seen: active and not suspended."""
    now = timezone.now()
    return User.objects.filter(is_active=True).filter(
        Q(suspended_until__isnull=True) | Q(suspended_until__lte=now)
    )


def block_either_way_q(*, viewer: Viewer, field: str = "pk") -> Q:
    """A Q that is true for rows whose `field` (a user id) blocks or is blocked by the viewer."""
    if not viewer_authenticated(viewer=viewer):
        return Q(pk__in=[])
    blocked = Block.objects.filter(blocker=viewer).values("blocked_id")
    blockers = Block.objects.filter(blocked=viewer).values("blocker_id")
    return Q(**{f"{field}__in": blocked}) | Q(**{f"{field}__in": blockers})


def blocker_ids(*, viewer: Viewer) -> QuerySet[Block]:
    """Ids of the people who blocked the viewer (a subquery)."""
    if not viewer_authenticated(viewer=viewer):
        return Block.objects.none().values("blocker_id")
    return Block.objects.filter(blocked=viewer).values("blocker_id")


def people_reportable(*, viewer: Viewer) -> QuerySet[User]:
    """People the viewer may report: those they may see, and those they blocked themselves (a
    block is often the first thing someone does about abuse; it must not stop the report)."""
    return users_active().exclude(pk__in=blocker_ids(viewer=viewer))


def block_either_way_exists(*, viewer: Viewer, person: User) -> bool:
    """Whether either of the two blocked the other: a block hides each from the other."""
    if not viewer_authenticated(viewer=viewer):
        return False
    return Block.objects.filter(
        Q(blocker=viewer, blocked=person) | Q(blocker=person, blocked=viewer)
    ).exists()


def follow_exists(*, follower: Viewer, followee: User) -> bool:
    if not viewer_authenticated(viewer=follower):
        return False
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def follow_from_viewer_q(*, viewer: Viewer, field: str) -> Exists | Q:
    """An expression true where the viewer follows the user in `field` (for annotations and filters)."""
    if not viewer_authenticated(viewer=viewer):
        return Q(pk__in=[])
    return Exists(Follow.objects.filter(follower=viewer, followee=OuterRef(field)))


def follow_to_viewer_q(*, viewer: Viewer, field: str) -> Exists | Q:
    """An expression true where the user in `field` follows the viewer."""
    if not viewer_authenticated(viewer=viewer):
        return Q(pk__in=[])
    return Exists(Follow.objects.filter(follower=OuterRef(field), followee=viewer))


def people_visible(*, viewer: Viewer) -> QuerySet[User]:
    """People the viewer may see: active, not suspended, and no block either way."""
    return users_active().exclude(block_either_way_q(viewer=viewer))


def profile_get(*, username: str, viewer: Viewer) -> User | None:
    """The person behind a profile URL as the viewer may see them; None means "answer 404".

    People always see themselves, so a suspended person can still reach their own settings.
    """
    if viewer_authenticated(viewer=viewer) and viewer.username == username:
        return viewer
    return people_visible(viewer=viewer).filter(username=username).first()


def person_get(*, username: str) -> User | None:
    """An active account by exact username, blocks ignored: for blocking and unblocking them."""
    return User.objects.filter(username=username, is_active=True).first()


def followers_list(*, person: User, viewer: Viewer = None) -> QuerySet[Follow]:
    """Follow rows into `person`, newest first, leaving out people the viewer may not see."""
    return (
        Follow.objects.filter(followee=person, follower__in=people_visible(viewer=viewer))
        .select_related("follower")
        .order_by("-created_at", "-pk")
    )


def following_list(*, person: User, viewer: Viewer = None) -> QuerySet[Follow]:
    """Follow rows out of `person`, newest first, leaving out people the viewer may not see."""
    return (
        Follow.objects.filter(follower=person, followee__in=people_visible(viewer=viewer))
        .select_related("followee")
        .order_by("-created_at", "-pk")
    )


def followers_count(*, person: User, viewer: Viewer = None) -> int:
    """The same people `followers_list` lists, so the number and the list agree."""
    return followers_list(person=person, viewer=viewer).count()


def following_count(*, person: User, viewer: Viewer = None) -> int:
    return following_list(person=person, viewer=viewer).count()


def friends_list(*, person: User, viewer: Viewer = None) -> QuerySet[User]:
    """Mutual follows of `person` that the viewer may see."""
    return (
        people_visible(viewer=viewer)
        .filter(follower_links__follower=person, following_links__followee=person)
        .order_by("username")
    )


def blocks_list(*, viewer: User) -> QuerySet[Block]:
    """Whom this person has blocked, newest first: the list they unblock from."""
    return Block.objects.filter(blocker=viewer).select_related("blocked").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class Relationship:
    """How the viewer stands with a person: what the follow button and menus show."""

    is_self: bool = False
    is_following: bool = False
    follows_you: bool = False
    is_blocked: bool = False
    blocks_you: bool = False

    @property
    def is_friend(self) -> bool:
        return self.is_following and self.follows_you


def relationship_get(*, viewer: Viewer, person: User) -> Relationship:
    """Both follow directions and both block directions in two queries."""
    if not viewer_authenticated(viewer=viewer):
        return Relationship()
    if viewer.pk == person.pk:
        return Relationship(is_self=True)
    follows = set(
        Follow.objects.filter(
            Q(follower=viewer, followee=person) | Q(follower=person, followee=viewer)
        ).values_list("follower_id", flat=True)
    )
    blocks = set(
        Block.objects.filter(
            Q(blocker=viewer, blocked=person) | Q(blocker=person, blocked=viewer)
        ).values_list("blocker_id", flat=True)
    )
    return Relationship(
        is_following=viewer.pk in follows,
        follows_you=person.pk in follows,
        is_blocked=viewer.pk in blocks,
        blocks_you=person.pk in blocks,
    )


def people_search(*, query: str, viewer: Viewer) -> QuerySet[User]:
    """Autocomplete: people whose username or display name starts with `query`. A query with a
    control character (NUL included) matches nobody without asking the database: no name holds
    one, and PostgreSQL refuses a NUL outright (a 500)."""
    query = (query or "").strip().lstrip("@")
    if not query or any(unicodedata.category(char) == "Cc" for char in query):
        return User.objects.none()
    return (
        people_visible(viewer=viewer)
        .filter(Q(username__istartswith=query) | Q(display_name__istartswith=query))
        .order_by("username")
    )
