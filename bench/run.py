"""`make bench`: run the benchmark sections and print each figure against its baseline.

    python bench/run.py            every section
    python bench/run.py media      one section

Results land in bench/results/<section>.json and .md; docs/benchmarks.md records them."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECTIONS = {"media": "bench.media_bench", "feed": "bench.feed_bench", "analytics": "bench.analytics_bench"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sections", nargs="*", help=f"sections to run: {', '.join(SECTIONS)} (default: all)")
    args = parser.parse_args()
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    failed = False
    for name in args.sections or list(SECTIONS):
        print(f"== {name}")
        report = importlib.import_module(SECTIONS[name]).run()
        report.save()
        print(report.markdown())
        failed |= not all(result.ok for result in report.results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
