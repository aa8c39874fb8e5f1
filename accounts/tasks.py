"""Scheduled work for people; each task is a thin wrapper around a service."""

from celery import shared_task

from . import services, tokens


@shared_task(name="accounts.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Beat runs this nightly so the session and token tables do not grow forever."""
    services.clear_expired_sessions()
    tokens.purge_expired_tokens()
