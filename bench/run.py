"""`make bench`: run the benchmark sections and print each figure against its baseline.

    python bench/run.py            every section, each in a process of its own
    python bench/run.py media      one section, in this process

A section sets Django up for itself (the media section on SQLite, the feed and analytics
sections on PostgreSQL), and Django can be set up only once per process: so with several
sections each runs in a child process. The exit status is non-zero when any figure misses its
target or a section crashes; the summary at the end says which.

Results land in bench/results/<section>.json and .md; docs/benchmarks.md records them."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECTIONS = {
    "media": "bench.media_bench",
    "feed": "bench.feed_bench",
    "analytics": "bench.analytics_bench",
    "purge": "bench.purge_bench",
    "cluster": "bench.cluster_bench",
    "lighthouse": "bench.lighthouse_bench",
}
# A section's exit status when it ran and some figure missed its target (a crash is anything else:
# not 1, which is what Python exits with on an uncaught exception or SystemExit("message")).
MISSED = 3


def cpu_clock() -> tuple[int, int] | None:
    """(stolen, total) CPU time of the whole machine so far, in clock ticks, from /proc/stat; None
    off Linux. On a virtual machine "steal" is time a core was ready to run but the hypervisor
    gave it to another guest: the figures of a section that lost much of it are the host's as
    much as ours, so the summary says how much each section lost."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice, already in user and nice]
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def stolen_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> str:
    if before is None or after is None or after[1] <= before[1]:
        return "CPU stolen by the host: unknown"
    return f"CPU stolen by the host: {100 * (after[0] - before[0]) / (after[1] - before[1]):.0f} %"


def run_section(name: str) -> int:
    """Run one section in this process: 0 when every figure met its target, else MISSED."""
    print(f"== {name}", flush=True)
    report = importlib.import_module(SECTIONS[name]).run()
    report.save()
    print(report.markdown(), flush=True)
    missed = [result.name for result in report.results if not result.ok]
    for figure in missed:
        print(f"MISSED: {name}: {figure}", flush=True)
    return MISSED if missed else 0


def run_sections(names: list[str]) -> int:
    """Each section in a child process; every one runs even when an earlier one fails."""
    outcomes: dict[str, str] = {}
    for name in names:
        started, clock = time.monotonic(), cpu_clock()
        status = subprocess.run([sys.executable, __file__, name], check=False).returncode
        took = f"{time.monotonic() - started:.0f} s; {stolen_share(clock, cpu_clock())}"
        outcomes[name] = {0: f"ok ({took})", MISSED: f"missed a target ({took})"}.get(
            status, f"CRASHED, exit status {status} ({took})"
        )
    print("\n== summary")
    for name, outcome in outcomes.items():
        print(f"  {name}: {outcome}")
    return 0 if all(outcome.startswith("ok") for outcome in outcomes.values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sections", nargs="*", help=f"sections to run: {', '.join(SECTIONS)} (default: all)")
    args = parser.parse_args()
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    names = args.sections or list(SECTIONS)
    if len(names) == 1:
        clock = cpu_clock()
        status = run_section(names[0])
        print(f"  {stolen_share(clock, cpu_clock())}")
        return status
    return run_sections(names)


if __name__ == "__main__":
    sys.exit(main())
