"""The retention curve: how far each view of an item got, kept as a per-second histogram.

The player reports `watched_ms` for a view when it pauses, moves on, closes, ends, and when the
page is hidden, so one view can report several times, further each time. It names the view with
a `view_key` of its own choosing; the furthest second already counted for that key (per viewer
or address, so nobody can spend someone else's key) is kept in the shared cache, and a report
adds one only to the seconds its view newly reached. A report without a key is a whole view.
While the cache is unreachable a keyed view counts from its start again: an outage can
over-count, never fail the request.

Each report is one INSERT ... ON CONFLICT DO UPDATE over every second of the item, so racing
views never lose an increment (tests/analytics/test_concurrency.py), and the first report
creates a row for each second: the row count is the item's length, even after the purge."""

from __future__ import annotations

import math

from django.conf import settings

from stories.models import Story
from stories_site.counters import add_counts_rows
from stories_site.health import ThrottleCache

from .models import StoryRetention

# Longer than any item (clips are trimmed to STORIES_MAX_CLIP_SECONDS): a bound on the rows.
MAX_SECONDS = 60
# How long a view's progress is remembered: a hidden tab that comes back within it goes on.
PROGRESS_SECONDS = 6 * 3600

_PROGRESS = ThrottleCache()


def item_seconds(*, story: Story) -> int:
    """The item's length in whole seconds (a photo shows for STORIES_PHOTO_SECONDS)."""
    length = story.duration or settings.STORIES_PHOTO_SECONDS
    return max(1, min(MAX_SECONDS, math.ceil(length)))


def _seconds_reached(watched_ms: int, length: int) -> int:
    """A view is "at" second s once it has played s whole seconds: 0 ms is second 0."""
    return min(length, watched_ms // 1000 + 1)


def _already_counted(key: str | None, reached: int) -> int:
    if key is None:
        return 0
    # An atomic add for a view's first report; later ones go on from what was stored.
    if _PROGRESS.add(key, reached, timeout=PROGRESS_SECONDS):
        return 0
    before = int(_PROGRESS.get(key) or 0)
    if reached > before:
        _PROGRESS.set(key, reached, timeout=PROGRESS_SECONDS)
    return before


def record_watch(story: Story, *, watched_ms: int, view_key: str | None, who: str) -> None:
    """Count how far one view of `story` got. `who` is the viewer's id or the client address;
    the author's own views are not passed here (they change no figures)."""
    length = item_seconds(story=story)
    reached = _seconds_reached(watched_ms, length)
    key = f"watch:{story.pk}:{who}:{view_key}" if view_key else None
    before = _already_counted(key, reached)
    if reached <= before:
        return
    _add_views(story, [int(before <= second < reached) for second in range(length)])


def _add_views(story: Story, increments: list[int]) -> None:
    rows = [
        ({"story_id": story.pk, "second": second}, {"views": added})
        for second, added in enumerate(increments)
    ]
    add_counts_rows(StoryRetention, rows, author=story.author_id)
