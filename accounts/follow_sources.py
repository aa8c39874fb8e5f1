"""The declared extension point of accounts' follows: counting the story a follow was made from.

A follow may carry the id of the story it was made from (`Follow.source_story_id`, a plain id
that outlives the story's purge), and that story's analytics show the net follows made from
it. accounts sits below stories and knows nothing about them, so the counter is plugged in
here by the app that owns a story's figures (`stories.services.follows.story_follow_count`,
registered from `StoriesConfig.ready`). Nothing else may be plugged in.

accounts calls it inside the transaction that inserts or deletes the follow row, under both
people's row locks (`accounts.services._lock_pair`), and only from the request whose insert or
delete took effect: +1 when a follow with a source is made, -1 when it ends (unfollow, a block
either way). So the story's figure always equals the live follows carrying its id, counted on
the days they were made and ended, whichever door the follow came through. Which story may be
named at all (the followee's own, visible to the follower) is checked above, before following
(`stories.services.follows.follow_from_story`).
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class SourceCounter(Protocol):
    def __call__(self, *, story_id: UUID, author_id: int, delta: int) -> None:
        """Add `delta` follows to today's figures of story `story_id`, by `author_id`."""


_counter: SourceCounter | None = None


def source_counter_register(counter: SourceCounter) -> None:
    """Plug in the counter, once at start-up (an AppConfig.ready). Registering the same one
    again is harmless (ready may run twice in tests); a second, different one is a mistake."""
    global _counter
    if _counter is not None and _counter is not counter:
        raise RuntimeError("A follow-source counter is already registered.")
    _counter = counter


def source_count(*, story_id: UUID, author_id: int, delta: int) -> None:
    """Called by accounts.services for a follow with a source, made (+1) or ended (-1)."""
    if _counter is None:
        raise RuntimeError("No follow-source counter is registered (stories' AppConfig.ready).")
    _counter(story_id=story_id, author_id=author_id, delta=delta)
