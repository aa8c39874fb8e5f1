"""Celery tasks: thin wrappers so the same rules run inline in tests and in a worker."""

import contextlib
import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import Reject
from celery.signals import worker_ready
from django.db import DatabaseError

from . import services
from .services import avatars
from .services.processing import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="stories.tasks.process_story",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=8,
    # Nobody reads its result; and sending a task whose result is kept first subscribes to the
    # result backend, which retries for 20 s when Redis is down: an upload would hang that long.
    ignore_result=True,
)
def process_story(self, story_id: str) -> None:
    """Transient errors retry with backoff. The attempt cap (counted at each claim, see
    services.processing) ends a story that keeps failing; retries that never reach a claim (the
    database down) keep going until it is back, and past max_retries the sweeper's safety net
    sends the story again later."""
    try:
        services.story_process(story_id=story_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            logger.warning("Story %s: giving up retrying for now: %s", story_id, exc)
            return
        try:
            raise self.retry(exc=exc, countdown=min(600, 15 * 2**self.request.retries)) from exc
        except Reject:
            # The retry could not reach the broker: the sweeper sends the story once it is back.
            with contextlib.suppress(DatabaseError):
                services.story_forget_dispatch(story_id=story_id)
            raise


@shared_task(name="stories.tasks.make_renditions", queue="media", acks_late=True, ignore_result=True)
def make_renditions(story_id: str) -> list[int]:
    """A ready story's sized posters (services/renditions.py), on the media queue after it."""
    return services.story_renditions_make_by_id(story_id=story_id)


@shared_task(name="stories.tasks.process_sound", queue="media", acks_late=True, ignore_result=True)
def process_sound(sound_id: str) -> None:
    """ffmpeg for the sound library runs here, on the media queue, never in a web request."""
    services.sound_process(sound_id=sound_id)


@shared_task(name="stories.tasks.expire_stories")
def expire_stories() -> int:
    return services.stories_expire_due()


@shared_task(name="stories.tasks.purge_expired_stories")
def purge_expired_stories() -> int:
    return services.stories_purge_backlog().purged


@shared_task(name="stories.tasks.requeue_stuck_stories")
def requeue_stuck_stories() -> int:
    return services.stories_requeue_stuck()


@shared_task(name="stories.tasks.publish_story", ignore_result=True)
def publish_story(story_id: str) -> bool:
    """The ETA task sent for a scheduled story's publish_at (services/scheduling.py). A no-op
    when it is not due (rescheduled later) or already published by the sweep."""
    return services.story_publish_due(story_id=story_id)


@shared_task(name="stories.tasks.publish_due_stories")
def publish_due_stories() -> int:
    """Every minute: the safety net that publishes scheduled stories whose time has come."""
    return services.stories_publish_due()


@shared_task(name="stories.tasks.reconcile_storage")
def reconcile_storage(delete: bool = True, grace_hours: float = 24) -> int:
    """Daily: remove stored files no row refers to; returns how many went."""
    return services.storage_reconcile(delete=delete, grace=timedelta(hours=grace_hours)).deleted


@worker_ready.connect
def clear_abandoned_work_dirs(**kwargs) -> None:
    """A worker killed mid-encode leaves its scratch files behind; the next one on the host
    clears them when it starts (directories a live worker holds are kept)."""
    services.work_dirs_clear_abandoned()


@shared_task(name="stories.tasks.process_highlight_cover", queue="media", acks_late=True, ignore_result=True)
def process_highlight_cover(highlight_id: int, pending: str) -> None:
    """An uploaded highlight cover is decoded and cleaned here, never in a web request."""
    from .services.highlights import highlight_process_cover as process

    process(highlight_id=highlight_id, pending=pending)


# The name is the one the task had in accounts, so a photo queued before the move still runs.
@shared_task(name="accounts.tasks.process_avatar", queue="media", acks_late=True, ignore_result=True)
def process_avatar(user_id: int, pending: str) -> None:
    """Decoding and re-encoding a profile photo runs here, on the media queue
    (stories/services/avatars.py)."""
    avatars.avatar_process(user_id=user_id, pending=pending)
