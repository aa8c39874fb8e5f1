"""Celery tasks: thin wrappers so the same rules run inline in tests and in a worker."""

from celery import shared_task
from django.db import DatabaseError

from . import media, services
from .models import Story

TRANSIENT = (media.TransientMediaError, DatabaseError, OSError)


@shared_task(
    bind=True,
    name="stories.tasks.process_story",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=4,
)
def process_story(self, story_id: str) -> None:
    try:
        services.process_story(story_id)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            story = Story.objects.filter(pk=story_id).first()
            if story is not None:
                services.fail_story(story, "Processing kept failing on our side. Please post it again.")
            return
        raise self.retry(exc=exc, countdown=min(600, 15 * 2**self.request.retries)) from exc


@shared_task(name="stories.tasks.expire_stories")
def expire_stories() -> int:
    return services.expire_due_stories()


@shared_task(name="stories.tasks.purge_expired_stories")
def purge_expired_stories() -> int:
    return services.purge_stories()


@shared_task(name="stories.tasks.requeue_stuck_stories")
def requeue_stuck_stories() -> int:
    return services.requeue_stuck_stories()
