"""A clock the analytics tests set by hand: every `timezone.now()` call (counters, visibility,
expiry, the summary's window) reads it, so a script can span two UTC days exactly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def set(self, moment: datetime) -> None:
        self.moment = moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", lambda: clock.moment)
    return clock
