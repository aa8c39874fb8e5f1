"""The story lifecycle: the one place that knows which state changes are allowed.

    processing -> ready | failed
    processing -> scheduled          (processed before its publish_at: it waits, seen by its author only)
    scheduled  -> ready              (at publish_at, or "publish now"; stories.services.scheduling)
    ready      -> expired            (its lifetime after publishing)
    any live   -> deleted            (by the author; for a scheduled story: cancelled)
    any live   -> removed            (by a moderator)

Every change goes through `transition()`, which is a conditional UPDATE: two processes racing
(a worker finishing while the author deletes) cannot both win, and the loser learns it lost.

Inside `processing`, work is done in attempts, and an attempt holds a lease:

    claim()    a conditional UPDATE that succeeds only while nobody holds a live lease, so there is
               one attempt at a time per story; it counts the attempt and sets a deadline
    renew()    the attempt's heartbeat moves the deadline on while it works
    release()  the attempt ends without a state change (a transient error: the retry claims again)
    transition(..., lease_token=...)  the attempt's own move to ready or failed; it fails if the
               lease was lost (lapsed and claimed by a later attempt), so only one attempt publishes

A lease that lapsed means its worker died (or stalled): the sweeper gives the story back to the
queue (stories.services.processing.stories_requeue_stuck) and a later attempt claims it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

if TYPE_CHECKING:
    from .models import Story


class State(models.TextChoices):
    PROCESSING = "processing", "Processing"
    SCHEDULED = "scheduled", "Scheduled"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"
    DELETED = "deleted", "Deleted"
    REMOVED = "removed", "Removed"


ALLOWED: dict[str, frozenset[str]] = {
    State.PROCESSING: frozenset({State.READY, State.SCHEDULED, State.FAILED, State.DELETED, State.REMOVED}),
    State.SCHEDULED: frozenset({State.READY, State.DELETED, State.REMOVED}),
    State.READY: frozenset({State.EXPIRED, State.DELETED, State.REMOVED}),
    State.FAILED: frozenset({State.DELETED, State.REMOVED}),
    State.EXPIRED: frozenset({State.DELETED, State.REMOVED}),
    State.DELETED: frozenset(),
    State.REMOVED: frozenset(),
}

# States whose media must leave storage: deleted at once, expired and removed by the purge once
# no open report holds them for review (stories.services.stories_purge).
TERMINAL = frozenset({State.DELETED, State.REMOVED, State.EXPIRED})


class InvalidTransition(Exception):
    """The story is not in a state from which the requested change is allowed."""

    def __init__(self, story_id: Any, current: str, target: str):
        super().__init__(f"Story {story_id} cannot go from {current} to {target}.")
        self.current = current
        self.target = target


class LeaseLost(InvalidTransition):
    """The story is still processing, but another attempt holds it now: this one must not publish."""

    def __init__(self, story_id: Any, target: str):
        Exception.__init__(self, f"Story {story_id}: this attempt no longer holds the lease.")
        self.current = State.PROCESSING
        self.target = target


# Leaving a state clears the lease: only an attempt inside `processing` holds one.
NO_LEASE = {"lease_token": "", "lease_expires_at": None}


def sources_for(target: str) -> list[str]:
    return [source for source, targets in ALLOWED.items() if target in targets]


def can_transition(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())


class ConditionNotMet(InvalidTransition):
    """The move is allowed from the row's state, but the row no longer matches `where` (a
    scheduled story rescheduled later, or already published by the other of two racers)."""


def transition(
    story: Story,
    target: str,
    *,
    lease_token: str | None = None,
    sources: list[str] | None = None,
    where: Q | None = None,
    **fields: Any,
) -> None:
    """Move `story` to `target`, saving `fields` in the same UPDATE.

    With `lease_token`, the row must also hold exactly that lease ("" meaning: no attempt holds
    it): a processing attempt publishes or fails its story only while its lease is its own.
    `sources` narrows the allowed source states (publishing a scheduled story must not publish
    one still processing); `where` adds a condition the row must meet in the same UPDATE (a
    scheduled story goes live only once its publish_at has come).

    Raises InvalidTransition when the row (re-read by the UPDATE itself, not from memory) is in a
    state that does not allow it, LeaseLost when only the lease is not the one given,
    ConditionNotMet when only `where` does not hold.
    """
    from .models import Story

    allowed = sources_for(target)
    if sources is not None:
        allowed = [state for state in allowed if state in sources]
    fields = {**NO_LEASE, **fields, "state": target, "state_changed_at": timezone.now()}
    rows = Story.objects.filter(pk=story.pk, state__in=allowed)
    if lease_token is not None:
        rows = rows.filter(lease_token=lease_token)
    if where is not None:
        rows = rows.filter(where)
    if not rows.update(**fields):
        row = Story.objects.filter(pk=story.pk).values("state", "lease_token").first() or {}
        current = row.get("state")
        if current in allowed and lease_token is not None and row["lease_token"] != lease_token:
            raise LeaseLost(story.pk, target)
        if current in allowed and where is not None:
            raise ConditionNotMet(story.pk, current, target)
        raise InvalidTransition(story.pk, current or "missing", target)
    for name, value in fields.items():
        setattr(story, name, value)
    _story_ended([story.pk], target)


def transition_many(story_ids: list[Any], target: str, **fields: Any) -> int:
    """Move many stories at once (expiry runs in batches); rows in other states are left alone."""
    from .models import Story

    fields = {**NO_LEASE, **fields, "state": target, "state_changed_at": timezone.now()}
    moved = Story.objects.filter(pk__in=story_ids, state__in=sources_for(target)).update(**fields)
    if moved:
        _story_ended(story_ids, target)
    return moved


def _story_ended(story_ids: list[Any], target: str) -> None:
    """A story that leaves for deleted, expired or removed takes its unpublished lifted sounds
    with it (stories.services.sounds): every such move passes here, so none is missed."""
    if target in TERMINAL:
        from .services.sounds import sounds_withdraw_lifted

        sounds_withdraw_lifted(story_ids=story_ids)


# --- Leases: one processing attempt at a time -------------------------------------------------


@dataclass(frozen=True)
class Lease:
    """A processing attempt's hold on a story: whoever has the token may publish or fail it."""

    story_id: Any
    token: str
    attempt: int
    expires_at: datetime


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.STORIES_LEASE_SECONDS)


def claim(story_id: Any) -> Lease | None:
    """Start an attempt: counts it and takes the lease, in one conditional UPDATE that matches
    only a processing story nobody holds (no lease, or one that lapsed). None: nothing to do now,
    because the story is no longer processing or a live attempt has it."""
    from .models import Story

    now = timezone.now()
    token = secrets.token_hex(16)
    expires_at = now + lease_duration()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    claimed = Story.objects.filter(free, pk=story_id, state=State.PROCESSING).update(
        processing_attempts=F("processing_attempts") + 1,
        last_attempt_at=now,
        lease_token=token,
        lease_expires_at=expires_at,
    )
    if not claimed:
        return None
    attempt = Story.objects.filter(pk=story_id).values_list("processing_attempts", flat=True).get()
    return Lease(story_id=story_id, token=token, attempt=attempt, expires_at=expires_at)


def renew(lease: Lease) -> bool:
    """The heartbeat: push the deadline on. False once the lease is no longer this attempt's."""
    from .models import Story

    return bool(
        Story.objects.filter(pk=lease.story_id, state=State.PROCESSING, lease_token=lease.token).update(
            lease_expires_at=timezone.now() + lease_duration()
        )
    )


def release(lease: Lease, **fields: Any) -> bool:
    """End an attempt that changes no state (a transient error): the next attempt may claim at once."""
    from .models import Story

    return bool(
        Story.objects.filter(pk=lease.story_id, state=State.PROCESSING, lease_token=lease.token).update(
            **NO_LEASE, **fields
        )
    )


def lapsed_leases(now: datetime | None = None):
    """Processing stories whose attempt stopped renewing its lease: its worker is gone."""
    from .models import Story

    return Story.objects.filter(state=State.PROCESSING, lease_expires_at__lt=now or timezone.now())


def release_lapsed(story_id: Any, token: str, expires_at: datetime, **fields: Any) -> bool:
    """Take a lapsed lease away, only if it is still the one seen (same token, same deadline: a
    heartbeat that came late moved the deadline, and then the attempt keeps its story)."""
    from .models import Story

    return bool(
        Story.objects.filter(
            pk=story_id,
            state=State.PROCESSING,
            lease_token=token,
            lease_expires_at=expires_at,
            lease_expires_at__lt=timezone.now(),
        ).update(**NO_LEASE, **fields)
    )
