"""Scheduled stories: posted now, live later.

A story posted with `publish_at` is processed at once, so it is ready on time, and then waits in
the `scheduled` state (stories/lifecycle.py), seen by its author only (the Scheduled page, their
own story API), until publish_at. Then it goes live: `published_at` is the moment it actually
did, `expires_at` is published_at plus its lifetime, and the people it names are told (mention
stickers, the author of an Add Yours prompt it answers): at publish time, never at upload, since
until then nobody could watch it. A processing that ends after publish_at goes straight to ready.

Two things publish a due story, and either alone would do:

- an ETA task at publish_at (`stories.tasks.publish_story`), sent when publish_at is at most
  ETA_WINDOW away: when the story enters `scheduled` or is rescheduled, and by each sweep for the
  stories falling due before the next one. No message waits in the broker for days: Redis hands
  an unacknowledged message to another worker after its visibility timeout (an hour), and a
  week-long ETA would be delivered again and again; nor does a reschedule leave a stale message
  that could matter for long.
- beat's sweep every minute (`stories.tasks.publish_due_stories`), the safety net: a lost message
  or a broker that was down costs at most a minute.

Both publish through `lifecycle.transition(..., where=publish_at <= now)`: one conditional
UPDATE, so when both run only one of them publishes (and tells people), and a stale ETA for a
story rescheduled later does nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from stories_site.errors import Invalid, NotAllowed

from .. import attachments, lifecycle
from ..lifecycle import State
from ..models import Story
from ..selectors import stories_waiting_q

logger = logging.getLogger(__name__)

MAX_AHEAD = timedelta(days=7)
# A time picked as "now" reaches the server a moment later; within this it means "at once".
PAST_GRACE = timedelta(seconds=60)
# Beat sweeps every 60 s; each sends the ETA tasks falling due before the next sweep, with some
# overlap (a task sent twice publishes once).
ETA_WINDOW = timedelta(seconds=90)
SWEEP_LIMIT = 500

WINDOW_MESSAGE = "Schedule it for a time from now up to 7 days ahead."
FORMAT_MESSAGE = "Give the time as an ISO 8601 date and time with its offset, like 2026-12-24T18:30:00+01:00."
NOT_SCHEDULED = "This story is not scheduled any more: it is already live, or gone."


def publish_at_clean(*, value: Any, now: datetime | None = None) -> datetime | None:
    """When the author wants the story live: None (or empty) is "as soon as it is processed";
    otherwise an aware time from now to 7 days ahead, returned in UTC. A time without an offset
    is refused: it would mean a different moment on the server than in the person's browser."""
    if value is None or value == "":
        return None
    when = value
    if not isinstance(value, datetime):
        try:
            when = parse_datetime(str(value).strip())
        except (ValueError, OverflowError):
            when = None
        if when is None:
            raise Invalid({"publish_at": [FORMAT_MESSAGE]})
    if timezone.is_naive(when):
        raise Invalid({"publish_at": ["Give the time with its UTC offset (like +01:00 or Z)."]})
    now = now or timezone.now()
    try:
        when = when.astimezone(UTC)
        inside = now - PAST_GRACE <= when <= now + MAX_AHEAD
    except (ValueError, OverflowError):
        inside = False
    if not inside:
        raise Invalid({"publish_at": [WINDOW_MESSAGE]})
    return when


def publish_at_picker_limits() -> dict[str, int]:
    """The window, for the pickers (the create page, the Scheduled page) to check on the spot."""
    return {
        "max_ahead_seconds": int(MAX_AHEAD.total_seconds()),
        "past_grace_seconds": int(PAST_GRACE.total_seconds()),
    }


def story_live_fields(*, story: Story, now: datetime) -> dict[str, datetime]:
    """What going live sets: the moment it did, and when it runs out."""
    return {"published_at": now, "expires_at": now + timedelta(hours=story.lifetime_hours)}


# --- from processing -------------------------------------------------------------------------


def story_finish_processing(*, story: Story, lease_token: str, **fields: Any) -> None:
    """The processing attempt's move: to `scheduled` while publish_at is ahead, else to `ready`.

    publish_at is read by the UPDATE itself, not from memory: the author may have rescheduled or
    pressed "publish now" while the clip was encoding. Raises what `lifecycle.transition` raises
    (deleted meanwhile, lease lost)."""
    now = timezone.now()
    if story.publish_at is not None:
        try:
            lifecycle.transition(
                story, State.SCHEDULED, lease_token=lease_token, where=Q(publish_at__gt=now), **fields
            )
            return
        except lifecycle.ConditionNotMet:
            pass  # its time has come already: live at once
    lifecycle.transition(
        story, State.READY, lease_token=lease_token, **fields, **story_live_fields(story=story, now=now)
    )


def story_after_processing(*, story: Story) -> None:
    """What follows a processed story's move: a live one is announced, a scheduled one waits for
    its ETA task (or the sweep)."""
    if story.state == State.READY:
        story_announce(story=story)
    elif story.state == State.SCHEDULED:
        # The time as it is now: the author may have moved it while the clip was encoding.
        when = Story.objects.filter(pk=story.pk).values_list("publish_at", flat=True).first()
        story_queue_publication(story_id=story.pk, when=when)


def story_announce(*, story: Story) -> int:
    """Tell the people a story names, now that it is live: the one place this happens. Each
    registered attachment (stories/attachments.py; stickers: its mentions, the Add Yours
    prompt's author) tells its own people. Returns how many were told."""
    return sum(attachment.announce(story) for attachment in attachments.registered())


# --- publishing --------------------------------------------------------------------------------


def _publish(story: Story, now: datetime, *, where: Q | None = None, **extra: Any) -> bool:
    """scheduled -> ready in one conditional UPDATE; True only for the call that moved it."""
    try:
        lifecycle.transition(
            story,
            State.READY,
            sources=[State.SCHEDULED],
            where=where,
            **story_live_fields(story=story, now=now),
            **extra,
        )
    except lifecycle.InvalidTransition:
        return False
    story_announce(story=story)
    return True


def story_publish_due(*, story_id: Any, now: datetime | None = None) -> bool:
    """Publish one scheduled story if its time has come. False when it is not due (rescheduled
    later), no longer scheduled (the other racer published it, cancelled, removed) or missing."""
    now = now or timezone.now()
    story = Story.objects.filter(pk=story_id, state=State.SCHEDULED).first()
    if story is None:
        return False
    return _publish(story, now, where=Q(publish_at__lte=now))


def stories_publish_due(*, limit: int = SWEEP_LIMIT) -> int:
    """Beat's sweep: publish every scheduled story whose time has come, soonest first, and send
    the ETA tasks of those falling due before the next sweep. Returns how many it published."""
    now = timezone.now()
    scheduled = Story.objects.filter(state=State.SCHEDULED)
    due = scheduled.filter(publish_at__lte=now).order_by("publish_at").values_list("pk", flat=True)
    published = sum(story_publish_due(story_id=story_id, now=now) for story_id in list(due[:limit]))
    soon = scheduled.filter(publish_at__gt=now, publish_at__lte=now + ETA_WINDOW)
    for story_id, when in soon.values_list("pk", "publish_at")[:limit]:
        if not story_send_publication(story_id=story_id, when=when):
            break  # the broker is down: the next sweeps publish them anyway
    return published


def story_send_publication(*, story_id: Any, when: datetime) -> bool:
    """Send the ETA task that publishes the story at `when`; False when the broker is down."""
    from ..tasks import publish_story

    try:
        publish_story.apply_async(args=[str(story_id)], eta=when)
    except Exception:
        logger.warning("Story %s: could not send its publication; the sweep publishes it", story_id)
        return False
    return True


def story_queue_publication(*, story_id: Any, when: datetime | None) -> None:
    """After the current transaction commits, send the ETA task if `when` is near enough (see
    the module docstring); later ones are sent by the sweep."""
    if when is None or when > timezone.now() + ETA_WINDOW:
        return
    transaction.on_commit(lambda: story_send_publication(story_id=story_id, when=when), robust=True)


# --- the author's controls ---------------------------------------------------------------------


def _ensure_author(story: Story, by: User) -> None:
    if story.author_id != by.pk:
        raise NotAllowed("Only the author can change when this story goes live.")


def story_reschedule(*, story: Story, publish_at: Any, by: User) -> Story:
    """Move a story that has not gone live yet to another time, now to 7 days ahead (an
    Invalid on `publish_at` otherwise, or when it went live meanwhile). The row is
    changed only while it is still waiting (one conditional UPDATE), so a reschedule racing its
    publication either moves it or is refused, never half-done. Returns the story, fresh."""
    _ensure_author(story, by)
    when = publish_at_clean(value=publish_at)
    if when is None:
        raise Invalid({"publish_at": ["Choose when the story goes live."]})
    if not Story.objects.filter(stories_waiting_q(), pk=story.pk).update(publish_at=when):
        raise Invalid({"publish_at": [NOT_SCHEDULED]})
    story.refresh_from_db()
    if story.state == State.SCHEDULED:
        story_queue_publication(story_id=story.pk, when=when)
    return story


def story_publish_now(*, story: Story, by: User) -> Story:
    """Publish a scheduled story at once (published_at: now). One still processing gets
    publish_at = now instead and goes live the moment it is ready. An Invalid when it is
    no longer waiting. Returns the story, fresh."""
    _ensure_author(story, by)
    now = timezone.now()
    processing = Story.objects.filter(pk=story.pk, state=State.PROCESSING, publish_at__isnull=False)
    if processing.update(publish_at=now):
        story.refresh_from_db()
        if story.state != State.SCHEDULED:  # it finished processing in between: publish below
            return story
    fresh = Story.objects.filter(pk=story.pk).first()
    if fresh is None or not _publish(fresh, now, publish_at=now):
        raise Invalid({"publish_at": [NOT_SCHEDULED]})
    return fresh
