"""A child of the runner dies with the process that started it and has a CPU limit, checked on
real processes: a parent killed with SIGKILL (as OOM would) must not leave its child running."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from stories.media import runner
from tests.platform import processes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's"),
]

CHILD_REPORT = textwrap.dedent(
    """
    import ctypes, resource
    signal_number = ctypes.c_int()
    ctypes.CDLL(None).prctl(2, ctypes.byref(signal_number), 0, 0, 0)  # PR_GET_PDEATHSIG
    print(signal_number.value, *resource.getrlimit(resource.RLIMIT_CPU))
    """
)

# A parent that starts `sleep` through the runner and waits for it, like a worker waits for ffmpeg.
PARENT = textwrap.dedent(
    """
    import sys
    from django.conf import settings
    settings.configure(STORIES_FFMPEG_THREADS=1, STORIES_FFMPEG_TIMEOUT=120)
    from stories.media import runner
    runner.run(["sleep", "60"], timeout=120)
    """
)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan killed in a container may wait for a reaper)."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            found.append(int(stat.parent.name))
    return found


def test_children_get_the_death_signal_and_a_cpu_limit(settings):
    settings.STORIES_FFMPEG_THREADS = 2
    output = runner.run([sys.executable, "-c", CHILD_REPORT], timeout=10).decode().split()
    death_signal, soft, hard = (int(value) for value in output)
    assert death_signal == signal.SIGKILL
    assert soft == math.ceil(10 * 3) + 5  # every thread busy for the whole limit, and then some
    assert hard == soft + 5  # SIGXCPU at the soft limit, SIGKILL five seconds later


def test_a_child_dies_with_the_process_that_started_it(tmp_path):
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        env=processes.clean_env(),
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        children: list[int] = []
        while not children and time.monotonic() < deadline:
            assert parent.poll() is None, parent.stderr.read().decode()
            children = [pid for pid in _children(parent.pid) if _running(pid) and _command(pid) == "sleep"]
            time.sleep(0.05)
        assert children, "the parent never started its child"
        (child,) = children
        assert os.getpgid(child) != parent.pid  # its own session: SIGKILL to the group misses it
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 3
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(child), "the child outlived its parent by 3 s"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)
        parent.stderr.close()
