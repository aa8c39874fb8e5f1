"""Counting into a story's day figures (`StoryDailyStats`): the one writer the apps above stories
call (feed for views, likes, comments and shares; stickers for sticker responses), so the table
lives with the story it describes and no writer imports the analytics that read it.

One upsert per event (`stories_site.counters.add_counts`), in the caller's transaction: exact
under concurrency, and nothing here names who did it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.utils import timezone

from stories_site.counters import add_counts

from .models import Story, StoryDailyStats


def story_day_count(*, story: Story, day: date | None = None, **counts: int) -> None:
    """The day's (UTC; today unless `day` says which, for an event counted after it happened)
    anonymous figures for the story: impressions, reach, completions, likes..."""
    story_day_add(story_id=story.pk, author_id=story.author_id, counts=counts, day=day)


def story_day_add(*, story_id: UUID, author_id: int, counts: dict[str, int], day: date | None = None) -> None:
    """`story_day_count` by id, for a count that may come after the story's purge (a follow made
    from it ending): the row is keyed by the id, and zero counts are left out."""
    counts = {name: value for name, value in counts.items() if value}
    if counts:
        key = {"story_id": story_id, "day": day or timezone.now().date()}
        add_counts(StoryDailyStats, key, counts, author=author_id)


def follows_from_story_count(*, story_id: UUID, author_id: int, delta: int) -> None:
    """A follow made from the story (+1) or ended (-1), on today's row: so the story's total is
    its net follows, and one person unfollowing and following again from it counts once.
    Plugged into accounts' declared counter (accounts/follow_sources.py) by `StoriesConfig`;
    by id, since a follow can end after the story's purge."""
    story_day_add(story_id=story_id, author_id=author_id, counts={"follows_from_story": delta})
