"""Reads for the home page: the story tray and the For You and Following feeds."""

from __future__ import annotations

from django.db.models import Max, Min, QuerySet

from accounts import selectors as people
from accounts.models import User
from stories import selectors as stories
from stories.models import Story


def following_ids(viewer: people.Viewer) -> list[int]:
    if not people.is_authenticated(viewer):
        return []
    return list(viewer.following_links.values_list("followee_id", flat=True))


def tray(viewer: people.Viewer, limit: int = 30) -> list[User]:
    """Authors with a live story the viewer can watch: the viewer first, then followed
    accounts, then everyone else, most recent story first."""
    live = (
        stories.visible_stories(viewer)
        .values("author_id")
        .annotate(latest=Max("published_at"), first_item=Min("published_at"))
        .order_by("-latest")
    )
    rows = list(live[: limit * 3])
    followed = set(following_ids(viewer))
    me = viewer.pk if people.is_authenticated(viewer) else None
    rows.sort(key=lambda row: (row["author_id"] != me, row["author_id"] not in followed))
    authors = User.objects.in_bulk([row["author_id"] for row in rows[:limit]])
    return [authors[row["author_id"]] for row in rows[:limit] if row["author_id"] in authors]


def for_you(viewer: people.Viewer) -> QuerySet[Story]:
    return stories.visible_stories(viewer).select_related("author").order_by("-published_at")


def following(viewer: people.Viewer) -> QuerySet[Story]:
    return for_you(viewer).filter(author_id__in=following_ids(viewer))
