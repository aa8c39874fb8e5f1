"""A clock the analytics tests set by hand, on time-machine: every `timezone.now()` call
(counters, visibility, expiry, the summary's window) reads the same fixed instant, so a script
can span two UTC days exactly, whatever today's date is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine


class Clock:
    """A stopped clock: `moment` stays put until `set()` moves it."""

    def __init__(self, traveller: time_machine.Coordinates, moment: datetime) -> None:
        self._traveller = traveller
        self.moment = moment

    def set(self, moment: datetime) -> None:
        self._traveller.move_to(moment)
        self.moment = moment


@pytest.fixture
def clock() -> Iterator[Clock]:
    start = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        yield Clock(traveller, start)
