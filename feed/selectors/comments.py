"""Comments a viewer may read, and their count by the same rule."""

from __future__ import annotations

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from accounts import selectors as people
from stories import selectors as stories
from stories.models import Story

from ..models import Comment

Viewer = people.Viewer


# --- Comments ------------------------------------------------------------------------------------


def _visible_comments(viewer: Viewer) -> QuerySet[Comment]:
    """Comments by people the viewer may see: the one rule behind the list and its count."""
    return Comment.objects.filter(author__in=people.people_visible(viewer=viewer))


def comments_for(*, story: Story, viewer: Viewer) -> QuerySet[Comment]:
    """A story's comments, oldest first, without people the viewer may not see; none at all when
    the author turned comments off."""
    if not story.allow_comments:
        return Comment.objects.none()
    return _visible_comments(viewer).filter(story=story).select_related("author").order_by("created_at", "id")


def visible_comment_count(*, viewer: Viewer) -> Coalesce:
    """An annotation: the story row's comments `comments_for` lists to the viewer, so the count
    a story shows agrees with its list after blocks and suspensions (`Story.comment_count`
    counts every comment and stays the ranking's figure)."""
    counts = (
        _visible_comments(viewer)
        .filter(story=OuterRef("pk"))
        .order_by()
        .values("story")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def comment_on_visible_story(*, viewer: Viewer, comment_id: int) -> Comment | None:
    """A comment on a story the viewer may see (else None: a 404), with its story."""
    return (
        Comment.objects.filter(pk=comment_id, story__in=stories.stories_visible(viewer=viewer))
        .select_related("story")
        .first()
    )
