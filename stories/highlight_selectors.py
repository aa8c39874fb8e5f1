"""Reads about highlights. Which items a viewer sees is not decided here: every item goes through
`stories.selectors.stories_highlight_visible` (the one visibility rule: audience, blocks, author
active), so a follower sees followers-only items, a stranger does not, and a blocked person sees
none. A highlight with no item the viewer may see is not shown to them at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse

from accounts import selectors as people
from accounts.models import User

from . import selectors
from .models import Highlight, HighlightItem, Story

Viewer = people.Viewer
Prepare = Callable[[QuerySet[Story]], QuerySet[Story]] | None


@dataclass
class ShownHighlight:
    """A highlight as one viewer sees it: its items they may watch, in order, and its cover."""

    highlight: Highlight
    stories: list[Story] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.highlight.pk

    @property
    def title(self) -> str:
        return self.highlight.title

    @property
    def cover_url(self) -> str | None:
        """The chosen item's poster if the viewer may see it, else the uploaded image, else the
        first item's poster the viewer may see."""
        chosen = self.highlight.cover_story_id
        if chosen is not None and any(story.pk == chosen for story in self.stories):
            return reverse("stories:poster", args=[chosen])
        if self.highlight.cover_image:
            return reverse("stories:highlight_cover", args=[self.highlight.pk])
        if self.stories:
            return reverse("stories:poster", args=[self.stories[0].pk])
        return None


def highlights_owned(*, owner: User) -> list[Highlight]:
    """The owner's highlights in their order (for managing them: every one, empty or not)."""
    return list(Highlight.objects.filter(owner=owner).order_by("position", "created_at"))


def highlights_shown(
    *, owner: User, viewer: Viewer, include_empty: bool = False, prepare: Prepare = None
) -> list[ShownHighlight]:
    """The owner's highlights in their order with the items this viewer may watch, in two
    queries whatever the number of highlights or items. Highlights left with nothing to show
    are dropped, unless `include_empty` (the owner managing their own). `prepare` adds to the
    stories' query (the viewer's liked/seen state for the player and the API)."""
    return _with_items(highlights_owned(owner=owner), viewer, include_empty=include_empty, prepare=prepare)


def highlight_shown(
    *, highlight_id: object, viewer: Viewer, prepare: Prepare = None
) -> ShownHighlight | None:
    """One highlight with the items this viewer may watch, or None when there is none to show
    (no such highlight, nothing in it for this viewer, or its owner hidden from them)."""
    pk = _highlight_pk(highlight_id)
    highlight = Highlight.objects.select_related("owner").filter(pk=pk).first() if pk else None
    if highlight is None or people.block_either_way_exists(viewer=viewer, person=highlight.owner):
        return None
    shown = _with_items([highlight], viewer, include_empty=False, prepare=prepare)
    return shown[0] if shown else None


def _with_items(
    highlights: list[Highlight], viewer: Viewer, *, include_empty: bool, prepare: Prepare = None
) -> list[ShownHighlight]:
    shown = {h.pk: ShownHighlight(h) for h in highlights}
    if not shown:
        return []
    visible = selectors.stories_highlight_visible(viewer=viewer)
    rows = list(
        HighlightItem.objects.filter(highlight_id__in=list(shown), story__in=visible)
        .order_by("highlight_id", "position")
        .values_list("highlight_id", "story_id")
    )
    stories = visible.filter(pk__in={story_id for _, story_id in rows}).select_related("author", "sound")
    by_id = {story.pk: story for story in (prepare(stories) if prepare else stories)}
    for highlight_id, story_id in rows:
        if story_id in by_id:  # gone between the two reads: left out
            shown[highlight_id].stories.append(by_id[story_id])
    return [entry for entry in shown.values() if entry.stories or include_empty]


def stories_pickable(*, owner: User) -> QuerySet[Story]:
    """The owner's stories a highlight may hold (live, or kept by the archive), newest first."""
    return (
        selectors.stories_highlightable()
        .filter(author=owner)
        .select_related("author", "sound")
        .order_by("-published_at", "-created_at")
    )


def highlight_owned(*, highlight_id: object, owner: User) -> Highlight | None:
    """The owner's highlight by this id, or None (someone else's is as missing as no highlight)."""
    pk = _highlight_pk(highlight_id)
    return Highlight.objects.filter(owner=owner, pk=pk).first() if pk else None


def _highlight_pk(value: object) -> int | None:
    """A key the database can compare (a 64-bit integer), else None: a number too large for the
    column is no highlight, not a database error."""
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None
