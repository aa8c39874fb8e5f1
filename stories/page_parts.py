"""The viewer's own columns on a query of stories, plugged in by the apps above stories.

A declared extension point (docs/architecture.md, "Layers"): stories knows a story, and feed,
above it, knows the viewer's own state on one: liked, seen, the count of the comments they may
read. The story JSON (serializers.story_json) shows that state, and stories' own pages and API
(a story, an author's Story, your items, your archive, your scheduled items, highlights) build
their queries here, in stories. So rather than import feed, stories declares a *row part*: a
function that adds columns to a query of stories for a viewer, so the state arrives in the same
query as the stories (no query per story). `stories_annotate` applies every registered part.

Registered once, by name, from the higher app's AppConfig.ready (feed: "viewer_state"); nothing
else plugs in, and nothing here is a signal. (What the story JSON shows of a story's stickers
comes through the other extension point, stories/attachments.py, its `show` hook.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from .models import Story

RowPart = Callable[..., QuerySet[Story]]
"""(*, queryset, viewer) -> the same stories with the viewer's columns annotated."""

_row_parts: dict[str, RowPart] = {}


def row_part_register(*, name: str, part: RowPart) -> None:
    """Called from an AppConfig.ready; registering the same name again replaces it (a reload)."""
    _row_parts[name] = part


def stories_annotate(*, stories: QuerySet[Story], viewer: Any) -> QuerySet[Story]:
    """The stories' query with every row part's columns for this viewer."""
    for part in _row_parts.values():
        stories = part(queryset=stories, viewer=viewer)
    return stories


def stories_annotator(*, viewer: Any) -> Callable[[QuerySet[Story]], QuerySet[Story]]:
    """`stories_annotate` for this viewer, as the `prepare` hook selectors take."""
    return lambda stories: stories_annotate(stories=stories, viewer=viewer)
