"""The runner: time limit with the whole process group killed, low priority, clean environment,
plain errors, binary resolution."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import uuid
from pathlib import Path

import ffmpeg
import pytest

from stories.media import MediaError, MediaTimeout, TransientMediaError, runner

pytestmark = [pytest.mark.slow, pytest.mark.media]


def _alive(pid: int) -> bool:
    """Running or sleeping; a zombie waiting for init to reap it counts as dead."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _processes_mentioning(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_timeout_kills_the_whole_process_group(tmp_path):
    """The child starts a grandchild; both must be gone when the time limit fires."""
    pid_file = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    started = time.monotonic()
    with pytest.raises(MediaTimeout) as caught:
        runner.run([sys.executable, "-c", script], timeout=1)
    assert time.monotonic() - started < 10
    # The input's fault, not the machine's: a plain reason, and nothing to retry.
    assert isinstance(caught.value, MediaError)
    assert not isinstance(caught.value, TransientMediaError)
    assert str(caught.value) == "This file took too long to process. Try a shorter or smaller file."
    assert "ran longer than 1 s" in caught.value.detail
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_a_runaway_ffmpeg_is_stopped(tmp_path):
    marker = f"size={uuid.uuid4().int % 200 + 100}x{uuid.uuid4().int % 200 + 100}"
    endless = ffmpeg.input(f"testsrc2={marker}:rate=30", f="lavfi", re=None).output(str(tmp_path / "x.mp4"))
    with pytest.raises(MediaTimeout):
        runner.run(runner.compile_ffmpeg(endless), timeout=1)
    time.sleep(0.2)
    assert _processes_mentioning(marker) == []


def test_children_run_at_low_priority_without_the_apps_secrets(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-pass-on")
    script = "import os, json; print(json.dumps([os.nice(0), sorted(os.environ), os.sched_getscheduler(0)]))"
    niceness, environment, policy = json.loads(runner.run([sys.executable, "-c", script], low_priority=True))
    assert niceness == 19
    assert policy == os.SCHED_IDLE
    assert "AWS_SECRET_ACCESS_KEY" not in environment
    assert "SECRET_KEY" not in environment
    limits = runner.run(
        [sys.executable, "-c", "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"]
    )
    assert 0 < int(limits) <= runner.MEMORY_LIMIT_BYTES


def test_failures_are_plain_and_logs_carry_no_paths(tmp_path, caplog):
    missing = tmp_path / "private-dir" / "missing.mp4"
    command = runner.compile_ffmpeg(ffmpeg.input(str(missing)).output(str(tmp_path / "out.mp4")))
    with caplog.at_level(logging.DEBUG, logger="stories.media.runner"), pytest.raises(MediaError) as caught:
        runner.run(command, failure_reason="We could not process this file.")
    assert str(caught.value) == "We could not process this file."
    assert caplog.records, "stderr is logged at debug level"
    assert all(str(tmp_path) not in record.getMessage() for record in caplog.records)


def test_a_missing_binary_is_transient(tmp_path):
    with pytest.raises(TransientMediaError):
        runner.run([str(tmp_path / "no-such-ffmpeg"), "-version"])


def test_binary_resolution(settings, monkeypatch):
    settings.FFMPEG_BINARY = "/opt/custom/ffmpeg"
    assert runner.ffmpeg_binary() == "/opt/custom/ffmpeg"
    settings.FFMPEG_BINARY = ""
    monkeypatch.setattr(runner.shutil, "which", lambda name: None)
    bundled = runner.ffmpeg_binary()
    assert "imageio_ffmpeg" in bundled
    assert os.access(bundled, os.X_OK)
    assert runner.ffprobe_binary() is None  # -> the PyAV probe


def test_every_command_gets_the_global_options(settings):
    settings.STORIES_FFMPEG_THREADS = 3
    command = runner.compile_ffmpeg(ffmpeg.input("in.mp4").output("out.mp4", threads=runner.threads()))
    assert command[1:5] == ["-nostdin", "-hide_banner", "-loglevel", "error"]
    assert command[command.index("-threads") + 1] == "3"
    assert command[command.index("-filter_complex_threads") + 1] == "3"
