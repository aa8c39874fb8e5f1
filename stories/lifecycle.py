"""The story lifecycle: the one place that knows which state changes are allowed.

    processing -> ready | failed
    ready      -> expired            (24 h after publishing)
    any live   -> deleted            (by the author)
    any live   -> removed            (by a moderator)

Every change goes through `transition()`, which is a conditional UPDATE: two processes racing
(a worker finishing while the author deletes) cannot both win, and the loser learns it lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from .models import Story


class State(models.TextChoices):
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"
    DELETED = "deleted", "Deleted"
    REMOVED = "removed", "Removed"


ALLOWED: dict[str, frozenset[str]] = {
    State.PROCESSING: frozenset({State.READY, State.FAILED, State.DELETED, State.REMOVED}),
    State.READY: frozenset({State.EXPIRED, State.DELETED, State.REMOVED}),
    State.FAILED: frozenset({State.DELETED, State.REMOVED}),
    State.EXPIRED: frozenset({State.DELETED, State.REMOVED}),
    State.DELETED: frozenset(),
    State.REMOVED: frozenset(),
}

# States whose media must leave storage: deleted at once, expired and removed by the purge once
# no open report holds them for review (stories.services.purge_stories).
TERMINAL = frozenset({State.DELETED, State.REMOVED, State.EXPIRED})


class InvalidTransition(Exception):
    """The story is not in a state from which the requested change is allowed."""

    def __init__(self, story_id: Any, current: str, target: str):
        super().__init__(f"Story {story_id} cannot go from {current} to {target}.")
        self.current = current
        self.target = target


def sources_for(target: str) -> list[str]:
    return [source for source, targets in ALLOWED.items() if target in targets]


def can_transition(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())


def transition(story: Story, target: str, **fields: Any) -> None:
    """Move `story` to `target`, saving `fields` in the same UPDATE.

    Raises InvalidTransition when the row (re-read by the UPDATE itself, not from memory) is in a
    state that does not allow it.
    """
    from .models import Story

    fields["state"] = target
    fields["state_changed_at"] = timezone.now()
    updated = Story.objects.filter(pk=story.pk, state__in=sources_for(target)).update(**fields)
    if not updated:
        current = Story.objects.filter(pk=story.pk).values_list("state", flat=True).first()
        raise InvalidTransition(story.pk, current or "missing", target)
    for name, value in fields.items():
        setattr(story, name, value)


def transition_many(story_ids: list[Any], target: str, **fields: Any) -> int:
    """Move many stories at once (expiry runs in batches); rows in other states are left alone."""
    from .models import Story

    fields["state"] = target
    fields["state_changed_at"] = timezone.now()
    return Story.objects.filter(pk__in=story_ids, state__in=sources_for(target)).update(**fields)
