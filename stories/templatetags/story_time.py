"""How long a live story has left, the way the tray, the cards and the player say it."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def time_left(expires_at: datetime | None) -> str:
    """ "5h left", "35m left", "2d left"; "" when unknown or past (the story is not live)."""
    if expires_at is None:
        return ""
    seconds = (expires_at - timezone.now()).total_seconds()
    if seconds <= 0:
        return ""
    if seconds >= 48 * 3600:
        return f"{int(seconds // 86400)}d left"
    if seconds >= 3600:
        return f"{int(seconds // 3600)}h left"
    return f"{max(1, int(seconds // 60))}m left"
