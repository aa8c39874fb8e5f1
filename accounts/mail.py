"""Emails the site sends (password reset, email change): rendered in the request, sent by a worker.

A request never talks to the mail server: it renders the message and queues
`accounts.tasks.send_email` once its transaction commits, so a slow or unreachable SMTP server
costs the person nothing and a rolled-back request sends nothing. The task retries SMTP and
network errors with exponential backoff (accounts/tasks.py). Which server is used is settings
only (EMAIL_URL or EMAIL_*; the console when neither is set: README, "Email").
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def render_email(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) from `accounts/email/<template>_subject.txt` and `<template>.txt`."""
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
    subject = " ".join(subject.split())  # one line: a header cannot hold a newline
    body = render_to_string(f"accounts/email/{template}.txt", context)
    return subject, body


def queue_email(*, to: str, template: str, context: dict) -> None:
    """Render now, send from a worker after the commit. A broker that is down is logged, never
    raised: the person's request (a reset, an email change) has already been answered the same."""
    from .tasks import send_email

    subject, body = render_email(template, context)

    def dispatch() -> None:
        try:
            send_email.delay(to=to, subject=subject, body=body)
        except Exception:
            logger.exception("Could not queue an email (%s)", template)

    transaction.on_commit(dispatch)


def deliver(*, to: str, subject: str, body: str) -> None:
    """Send one plain-text message through the configured backend (raises on SMTP errors)."""
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
