"""`make bench`'s runner reports how much CPU time the host took from each section (steal), so a
reader can tell a slow section from a slow machine (docs/benchmarks.md)."""

from __future__ import annotations

import sys

import pytest

from bench.run import cpu_clock, stolen_share


def test_the_stolen_share_is_the_steal_over_all_cpu_time_between_two_readings():
    assert stolen_share((100, 10_000), (400, 12_000)) == "CPU stolen by the host: 15 %"
    assert stolen_share((100, 10_000), (100, 11_000)) == "CPU stolen by the host: 0 %"


def test_an_unreadable_clock_says_unknown_instead_of_a_figure():
    assert stolen_share(None, (1, 2)).endswith("unknown")
    assert stolen_share((5, 10), (5, 10)).endswith("unknown")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/stat is Linux's")
def test_the_clock_reads_this_machines_cpu_time():
    first = cpu_clock()
    sum(range(2_000_000))  # some CPU time passes
    second = cpu_clock()
    assert first is not None
    assert second is not None
    assert second[1] > first[1]
    assert 0 <= second[0] - first[0] <= second[1] - first[1]
