"""Reads about people and the relations between them. Pure queries; nothing here writes."""

from __future__ import annotations

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
    return User.objects.filter(is_active=True).filter(Q(suspended_until__isnull=True) | Q(suspended_until__lte=now))


def blocked_either_way_q(viewer: Viewer, field: str = "pk") -> Q:
    """A Q that is true for rows whose `field` (a user id) blocks or is blocked by the viewer."""
    if not is_authenticated(viewer):
        return Q(pk__in=[])
    blocked = Block.objects.filter(blocker=viewer).values("blocked_id")
    blockers = Block.objects.filter(blocked=viewer).values("blocker_id")
    return Q(**{f"{field}__in": blocked}) | Q(**{f"{field}__in": blockers})


def is_blocked_either_way(a: Viewer, b: User) -> bool:
    if not is_authenticated(a):
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def is_following(follower: Viewer, followee: User) -> bool:
    if not is_authenticated(follower):
        return False
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def are_friends(a: Viewer, b: User) -> bool:
    """Friends are mutual follows."""
    if not is_authenticated(a):
        return False
    return is_following(a, b) and is_following(b, a)


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
