"""The suite's clock: with STORIES_TEST_CLOCK_SHIFT_DAYS=N (CI sets 400 for a second run), every
test runs N days after today; without it, the clock is the machine's. The kernel's file times
are not moved by time-machine, so they tell the real time."""

from __future__ import annotations

import os
from datetime import timedelta

from django.utils import timezone


def test_the_session_runs_as_many_days_ahead_as_asked(tmp_path):
    marker = tmp_path / "now"
    marker.touch()
    real = marker.stat().st_mtime
    shift = timedelta(days=int(os.environ.get("STORIES_TEST_CLOCK_SHIFT_DAYS") or 0))
    ahead = timezone.now().timestamp() - real
    assert abs(ahead - shift.total_seconds()) < 60, (ahead, shift)
