"""Leaving and your data: a pending account deletion, and data exports made by a worker."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccountDeletion(models.Model):
    """A person asked for their account to go. The account is deactivated at once; the task (and
    beat's sweep every minute) deletes everything it made. The row stays only while open reports
    concern the person: moderators keep the evidence until they decide (docs/security.md)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"deletion of {self.user_id}"


class DataExport(models.Model):
    """A zip of a person's data, built by a worker, downloadable once by its owner."""

    class State(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREPARING)
    file = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="export_user_created")]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.user_id} ({self.state})"
