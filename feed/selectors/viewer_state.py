"""The viewer's own state on stories (liked, seen, comment counts), one story for a viewer, and
what every feed page shares: the page type and its size limits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
    Value,
)
from django.utils import timezone

from accounts import selectors as people
from accounts.models import User
from stories import selectors as stories
from stories.models import Story
from stories_site import compiled, cursors

from ..models import Like, StoryView
from ..view_buffer import view_buffer_settle
from .comments import visible_comment_count

Viewer = people.Viewer


# --- The viewer's state on stories -------------------------------------------------------------


def seen_expression(*, viewer: Viewer, before: datetime | None = None) -> Exists | Value:
    """True where the viewer saw the row's story (at or before `before`, when given)."""
    if not people.viewer_authenticated(viewer=viewer):
        return Value(False)
    views = StoryView.objects.filter(viewer=viewer, story=OuterRef("pk"))
    if before is not None:
        views = views.filter(first_seen_at__lte=before)
    return Exists(views)


def stories_with_viewer_state(*, queryset: QuerySet[Story], viewer: Viewer) -> QuerySet[Story]:
    """Annotate `liked_by_me`, `seen_by_me` and `visible_comment_count` (the comments
    `comments_for` lists to this viewer) in the same query (no query per story)."""
    comments = visible_comment_count(viewer=viewer)
    if not people.viewer_authenticated(viewer=viewer):
        return queryset.annotate(
            liked_by_me=Value(False), seen_by_me=Value(False), visible_comment_count=comments
        )
    if isinstance(viewer, User):  # not a compiled page's placeholder
        view_buffer_settle(viewer=viewer)
    return queryset.annotate(
        liked_by_me=Exists(Like.objects.filter(user=viewer, story=OuterRef("pk"))),
        seen_by_me=seen_expression(viewer=viewer),
        visible_comment_count=comments,
    )


def story_fully_seen(*, author: User, viewer: Viewer) -> bool:
    """Whether the viewer has seen every live item of the author's Story: the ring dims then."""
    if not people.viewer_authenticated(viewer=viewer):
        return False
    view_buffer_settle(viewer=viewer)
    unseen = stories.author_story(author=author, viewer=viewer).filter(~seen_expression(viewer=viewer))
    return not unseen.exists()


def page_stories(*, viewer: Viewer, ids: list[uuid.UUID]) -> list[Story]:
    """The page's stories with authors and the viewer's state, in the given order, one query
    (compiled once per page size: stories_site/compiled.py). The ids come from a stories_visible() query of
    the same request."""
    if not ids:
        return []
    signed_in = people.viewer_authenticated(viewer=viewer)

    def build(slots: compiled.Slots) -> QuerySet[Story]:
        rows = Story.objects.filter(pk__in=slots.uuids("id", len(ids))).select_related("author", "sound")
        return stories_with_viewer_state(queryset=rows, viewer=slots.viewer() if signed_in else viewer)

    query = compiled.query_compiled(key=("page-stories", signed_in, len(ids)), build=build)
    values = compiled.listed("id", ids)
    values.update({"viewer": getattr(viewer, "pk", None), compiled.NOW: timezone.now()})
    by_id = {story.pk: story for story in query.objects(values)}
    return [by_id[pk] for pk in ids if pk in by_id]


# --- Cursors -------------------------------------------------------------------------------------
# Made and read by the one codec of every API list (stories_site/cursors.py), which checks each
# value's type and range: a tampered cursor is InvalidCursor (400), never an error further down.

InvalidCursor = cursors.InvalidCursor
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def page_size_clamp(*, size: int | None) -> int:
    return DEFAULT_PAGE_SIZE if size is None else max(1, min(MAX_PAGE_SIZE, size))


@dataclass
class FeedPage:
    items: list[Story]
    next_cursor: str | None
