"""Counting sticker responses: the sticker's own results (`StickerStats`) and the story's day
figures (`stories.daily_stats`). Called by stickers.services in the transaction that creates
the response, one upsert each (`stories_site.counters.add_counts`): exact under concurrency,
and nothing here names who responded. Kept out of services.py, which is long enough."""

from __future__ import annotations

from stories.daily_stats import story_day_count
from stories_site.counters import add_counts

from .models import Sticker, StickerStats


def sticker_response_count(*, sticker: Sticker, option: int | None = None, correct: bool = False) -> None:
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
    story_day_count(story=story, sticker_responses=1)
