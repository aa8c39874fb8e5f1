"""Scheduled work for people; each task is a thin wrapper around a service."""

from celery import shared_task

from . import services


@shared_task(name="accounts.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Beat runs this nightly so the session table does not grow forever."""
    services.clear_expired_sessions()
