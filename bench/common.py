"""Shared bench plumbing: a Django set-up on a scratch directory, timers, and result tables.

Every figure is a ratio against a baseline measured in the same run on the same machine, so the
numbers mean something on any hardware."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_RESULTS_DIR: elsewhere, so a test's short run does not overwrite a full run's figures.
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results")


def setup_django(var_dir: Path | None = None) -> Path:
    """Production-like settings (DEBUG off) on a scratch var dir; DATABASE_URL / REDIS_URL are
    honoured when set, so `make bench` can run against PostgreSQL."""
    if var_dir is None and "STORIES_VAR_DIR" not in os.environ:
        var_dir = Path(tempfile.mkdtemp(prefix="stories-bench-"))
        # Ours, so ours to remove: each run used to leave its scratch directory behind.
        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    if var_dir is not None:
        os.environ.setdefault("STORIES_VAR_DIR", str(var_dir))
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("STORIES_TESTING", "1")  # plain static storage: no collectstatic needed
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stories_site.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return Path(os.environ["STORIES_VAR_DIR"])


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


@dataclass
class Result:
    name: str
    measured: float
    baseline: float
    unit: str
    target: str
    ok: bool
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline if self.baseline else float("inf")


@dataclass
class Report:
    section: str
    results: list[Result] = field(default_factory=list)

    def add(
        self, name: str, measured: float, baseline: float, unit: str, target: float, note: str = ""
    ) -> Result:
        result = Result(
            name, measured, baseline, unit, f"<= {target:g}x", measured / baseline <= target, note
        )
        self.results.append(result)
        figures = f"{measured:.3f} {unit} vs {baseline:.3f} {unit}"
        print(f"  {name}: {figures} = {result.ratio:.3f}x ({result.target})")
        return result

    def markdown(self) -> str:
        lines = [
            "| measurement | measured | baseline | ratio | target | ok |",
            "|---|---|---|---|---|---|",
        ]
        for r in self.results:
            measured = f"{r.measured:.3f} {r.unit}"
            baseline = f"{r.baseline:.3f} {r.unit}"
            verdict = "yes" if r.ok else "NO"
            lines.append(f"| {r.name} | {measured} | {baseline} | {r.ratio:.2f}x | {r.target} | {verdict} |")
        return "\n".join(lines)

    def save(self) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.section}.json"
        payload = {"section": self.section, "results": [asdict(r) | {"ratio": r.ratio} for r in self.results]}
        path.write_text(json.dumps(payload, indent=2))
        (RESULTS / f"{self.section}.md").write_text(self.markdown() + "\n")
        return path
