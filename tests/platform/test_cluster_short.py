"""The cluster bench's short version (bench/cluster_bench.py): the whole production process set
on loopback (PostgreSQL, Redis, a moto S3 server, two gunicorns, two default and two media
workers, beat) under Locust for 60 seconds, with one fault: a media worker SIGKILLed mid-encode.
Nothing the load posted may be lost or left processing, no request outside the fault's window
may fail, and processing must recover within 60 s. It takes about two minutes."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.platform import processes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.cluster,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server on PATH"),
    pytest.mark.skipif(
        not glob.glob("/usr/lib/postgresql/*/bin/initdb") and shutil.which("initdb") is None,
        reason="needs PostgreSQL's initdb",
    ),
]


def test_a_minute_under_load_with_a_worker_killed_mid_encode_loses_nothing(tmp_path: Path):
    env = processes.clean_env(
        BENCH_CLUSTER_SECONDS="60",
        BENCH_CLUSTER_CHAOS="media",
        BENCH_CLUSTER_USERS="16",
        BENCH_CLUSTER_DRAIN="90",
        BENCH_RESULTS_DIR=str(tmp_path),
    )
    bench = subprocess.Popen(
        [sys.executable, processes.BASE_DIR / "bench" / "run.py", "cluster"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = bench.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        bench.terminate()  # SIGTERM: the bench stops its whole stack on the way out
        stdout, stderr = bench.communicate(timeout=120)
    output = f"--- stdout ---\n{stdout[-6000:]}\n--- stderr ---\n{stderr[-4000:]}"
    (root,) = re.findall(r"logs in (\S+)/logs\)", stdout) or [None]
    assert root, output
    assert not Path(root).exists(), f"the stack's directory outlived the bench\n{output}"
    assert not [pid for pid in _pids() if _cwd(pid).startswith(root + "/")], output
    results = json.loads((tmp_path / "cluster.json").read_text())
    figures = {result["name"]: result for result in results["results"]}

    assert figures["requests per second (both ports)"]["measured"] > 0, output
    for name in (
        "server errors (5xx or no answer) outside the outage windows",
        "uploads accepted (201/202) but not ready after the run",
        "stories still processing after the run and the drain",
    ):
        assert figures[name]["measured"] == 0, f"{name}: {figures[name]}\n{output}"
    (recovery,) = [result for name, result in figures.items() if name.startswith("recovery:")]
    assert 0 <= recovery["measured"] <= 60, f"{recovery}\n{output}"
    assert "killed media" in recovery["note"], recovery
    assert bench.returncode == 0, output


def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _cwd(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/cwd") + "/"
    except OSError:
        return ""
