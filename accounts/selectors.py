"""Reads about people and the relations between them. Pure queries; nothing here writes."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Block, Follow, User

Viewer = User | AnonymousUser | None


def is_authenticated(viewer: Viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def active_users() -> QuerySet[User]:
    """People who can be seen: active and not suspended."""
    now = timezone.now()
    return User.objects.filter(is_active=True).filter(
        Q(suspended_until__isnull=True) | Q(suspended_until__lte=now)
    )


def blocked_either_way_q(viewer: Viewer, field: str = "pk") -> Q:
    """A Q that is true for rows whose `field` (a user id) blocks or is blocked by the viewer."""
    if not is_authenticated(viewer):
        return Q(pk__in=[])
    blocked = Block.objects.filter(blocker=viewer).values("blocked_id")
    blockers = Block.objects.filter(blocked=viewer).values("blocker_id")
    return Q(**{f"{field}__in": blocked}) | Q(**{f"{field}__in": blockers})


def blockers_of(viewer: Viewer) -> QuerySet[Block]:
    """Ids of the people who blocked the viewer (a subquery)."""
    if not is_authenticated(viewer):
        return Block.objects.none().values("blocker_id")
    return Block.objects.filter(blocked=viewer).values("blocker_id")


def reportable_people(viewer: Viewer) -> QuerySet[User]:
    """People the viewer may report: those they may see, and those they blocked themselves (a
    block is often the first thing someone does about abuse; it must not stop the report)."""
    return active_users().exclude(pk__in=blockers_of(viewer))


def is_blocked_either_way(a: Viewer, b: User) -> bool:
    if not is_authenticated(a):
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def is_following(follower: Viewer, followee: User) -> bool:
    if not is_authenticated(follower):
        return False
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def viewer_follows_q(viewer: Viewer, field: str) -> Exists | Q:
    """An expression true where the viewer follows the user in `field` (for annotations and filters)."""
    if not is_authenticated(viewer):
        return Q(pk__in=[])
    return Exists(Follow.objects.filter(follower=viewer, followee=OuterRef(field)))


def follows_viewer_q(viewer: Viewer, field: str) -> Exists | Q:
    """An expression true where the user in `field` follows the viewer."""
    if not is_authenticated(viewer):
        return Q(pk__in=[])
    return Exists(Follow.objects.filter(follower=OuterRef(field), followee=viewer))


def visible_people(viewer: Viewer) -> QuerySet[User]:
    """People the viewer may see: active, not suspended, and no block either way."""
    return active_users().exclude(blocked_either_way_q(viewer))


def profile_for(username: str, viewer: Viewer) -> User | None:
    """The person behind a profile URL as the viewer may see them; None means "answer 404".

    People always see themselves, so a suspended person can still reach their own settings.
    """
    if is_authenticated(viewer) and viewer.username == username:
        return viewer
    return visible_people(viewer).filter(username=username).first()


def person_by_username(username: str) -> User | None:
    """An active account by exact username, blocks ignored: for blocking and unblocking them."""
    return User.objects.filter(username=username, is_active=True).first()


def followers_of(person: User, viewer: Viewer = None) -> QuerySet[Follow]:
    """Follow rows into `person`, newest first, leaving out people the viewer may not see."""
    return (
        Follow.objects.filter(followee=person, follower__in=visible_people(viewer))
        .select_related("follower")
        .order_by("-created_at", "-pk")
    )


def following_of(person: User, viewer: Viewer = None) -> QuerySet[Follow]:
    """Follow rows out of `person`, newest first, leaving out people the viewer may not see."""
    return (
        Follow.objects.filter(follower=person, followee__in=visible_people(viewer))
        .select_related("followee")
        .order_by("-created_at", "-pk")
    )


def follower_count(person: User, viewer: Viewer = None) -> int:
    """The same people `followers_of` lists, so the number and the list agree."""
    return followers_of(person, viewer).count()


def following_count(person: User, viewer: Viewer = None) -> int:
    return following_of(person, viewer).count()


def friends_of(person: User, viewer: Viewer = None) -> QuerySet[User]:
    """Mutual follows of `person` that the viewer may see."""
    return (
        visible_people(viewer)
        .filter(follower_links__follower=person, following_links__followee=person)
        .order_by("username")
    )


def blocked_by(user: User) -> QuerySet[Block]:
    """Whom this person has blocked, newest first: the list they unblock from."""
    return Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at", "-pk")


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


def relationship(viewer: Viewer, person: User) -> Relationship:
    """Both follow directions and both block directions in two queries."""
    if not is_authenticated(viewer):
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


def search_people(query: str, viewer: Viewer) -> QuerySet[User]:
    """Autocomplete: people whose username or display name starts with `query`. A query with a
    control character (NUL included) matches nobody without asking the database: no name holds
    one, and PostgreSQL refuses a NUL outright (a 500)."""
    query = (query or "").strip().lstrip("@")
    if not query or any(unicodedata.category(char) == "Cc" for char in query):
        return User.objects.none()
    return (
        visible_people(viewer)
        .filter(Q(username__istartswith=query) | Q(display_name__istartswith=query))
        .order_by("username")
    )
