"""Scheduled work for people; each task is a thin wrapper around a service."""

import smtplib

from celery import shared_task

from . import mail, services, tokens


@shared_task(name="accounts.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Beat runs this nightly so the session and token tables do not grow forever."""
    services.sessions_clear_expired()
    tokens.tokens_purge_expired()


@shared_task(
    name="accounts.tasks.send_email",
    # A mail server that is down, refuses for now or drops the connection is tried again later:
    # 2 s, 4 s, 8 s ... up to 10 minutes apart, 8 times (about half an hour in all).
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def send_email(*, to: str, subject: str, body: str) -> None:
    """Send one email rendered by the request (accounts/mail.py)."""
    mail.deliver(to=to, subject=subject, body=body)
