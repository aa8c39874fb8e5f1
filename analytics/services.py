"""Counting for creator analytics. Each function is called by the service that creates the
counted thing (a follow, an unfollow, a sticker response), inside its transaction, and adds to
anonymous per-day rows with one upsert (`feed.counters.add_counts`): exact under concurrency,
one statement per event, and nothing here names who did it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from feed.counters import add_counts, count_daily
from feed.models import StoryDailyStats

from .models import FollowerDaily, StickerStats

if TYPE_CHECKING:
    from stickers.models import Sticker
    from stories.models import Story


def count_follower_change(author_id: int, *, gained: int = 0, lost: int = 0) -> None:
    """Today's (UTC) new and ended follows of `author_id`, for the follower growth chart."""
    counts = {name: value for name, value in (("gained", gained), ("lost", lost)) if value}
    if counts:
        add_counts(FollowerDaily, {"author": author_id, "day": timezone.now().date()}, counts)


def count_follow_from_story(story: Story) -> None:
    """A follow made from this story (the player or its page): counted on the story's day row."""
    count_daily(story, follows_from_story=1)


def uncount_follow_from_story(story_id: Any, *, author_id: int) -> None:
    """A follow made from this story ended (unfollow, block): taken back on today's row, so the
    story's total is net follows and one person unfollowing and following again from it counts
    once. By id: the story may be purged by now, and the row it counted on is keyed by id."""
    add_counts(
        StoryDailyStats,
        {"story_id": story_id, "day": timezone.now().date()},
        {"follows_from_story": -1},
        author=author_id,
    )


def count_sticker_response(sticker: Sticker, *, option: int | None = None, correct: bool = False) -> None:
    """A vote, quiz answer, question or Add Yours story on `sticker`: one more sticker response
    for its story today, and one more for the sticker's results (per option for polls and
    quizzes). The sticker's wording is written along, so the results outlive the sticker."""
    story = sticker.story
    counts = {"responses": 1}
    if option is not None:
        counts[f"option_{option}"] = 1
    if correct:
        counts["correct"] = 1
    add_counts(
        StickerStats,
        {"sticker_id": sticker.pk},
        counts,
        story_id=story.pk,
        author=story.author_id,
        type=sticker.type,
        label=sticker.data.get("question") or sticker.prompt,
        options=sticker.options,
        correct_option=sticker.data.get("correct"),
    )
    count_daily(story, sticker_responses=1)
