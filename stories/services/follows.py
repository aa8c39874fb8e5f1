"""Following someone from one of their stories: the story-level half of a follow.

accounts makes the follow and stores the story's id on it (`Follow.source_story_id`), but it
sits below stories and cannot tell whether the story may be named. That check is here, made
before following (a followers-only story was not visible to the follower before they followed);
the count on the story's figures is the counter stories plugs into accounts
(`stories.daily_stats.follows_from_story_count`, registered by `StoriesConfig.ready`), which also
takes the follow back when it ends, whichever door ends it.
"""

from __future__ import annotations

import uuid
from typing import Any

from accounts import services as accounts
from accounts.models import User

from .. import selectors


def follow_from_story(*, viewer: User, followee: User, story_id: Any = None) -> bool:
    """Follow `followee`, made from the story `story_id` when given (the player, the story's
    page); True when a new follow was made. The story is attributed only if it is the
    followee's and the viewer may see it, so a made-up or borrowed id cannot inflate anyone's
    analytics; otherwise the follow is made and not attributed. Refusals are accounts'
    (`accounts.services.follow_create`: Invalid, NotAllowed or NotFound)."""
    return accounts.follow_create(
        follower=viewer, followee=followee, source_story_id=_source_id(story_id, viewer, followee)
    )


def _source_id(story_id: Any, viewer: User, followee: User) -> uuid.UUID | None:
    try:
        pk = story_id if isinstance(story_id, uuid.UUID) else uuid.UUID(str(story_id))
    except (TypeError, ValueError, AttributeError):
        return None
    named = selectors.stories_visible(viewer=viewer).filter(pk=pk, author_id=followee.pk).exists()
    return pk if named else None
