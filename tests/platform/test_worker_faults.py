"""A media worker SIGKILLed mid-encode, with its whole process group, as the OOM killer or a lost
host would: its ffmpeg dies with it, the story's lease lapses, beat re-queues it, and the next
worker clears the dead one's scratch files and publishes the story. Real processes throughout:
celery workers (prefork), beat, ffmpeg, on the embedded stack (SQLite, filesystem broker).

The first worker's ffmpeg reads its input at native speed (`-re`, through a wrapper named by
FFMPEG_BINARY), so the encode of a 15 s clip lasts 15 s: long enough to be caught running."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from stories.media import runner
from tests.platform import faults, processes

pytestmark = pytest.mark.slow

LEASE_SECONDS = 3

SLOW_FFMPEG = """#!{python}
import os, sys
args = []
for arg in sys.argv[1:]:  # read every input at its native frame rate: a run as long as the clip
    if arg == "-i":  # (the copy path's run opens the upload twice: once for the poster)
        args.append("-re")
    args.append(arg)
os.execv({ffmpeg!r}, [{ffmpeg!r}, *args])
"""


def _stat(pid: int) -> list[str] | None:
    """state, ppid, pgrp, ... of a live process; None once it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in {"Z", "X"} else fields


def ffmpeg_children_of_group(pgid: int) -> list[int]:
    """ffmpeg processes whose parent belongs to process group `pgid` (ffmpeg itself runs in a
    session of its own, so a SIGKILL to the group does not reach it)."""
    table = {
        int(stat.parent.name): _stat(int(stat.parent.name)) for stat in Path("/proc").glob("[0-9]*/stat")
    }
    table = {pid: fields for pid, fields in table.items() if fields}
    group = {pid for pid, fields in table.items() if fields[2] == str(pgid)}
    # The wheel's binary is "ffmpeg-linux-x86_64-v7.0.2", which /proc/<pid>/comm cuts to 15 bytes.
    return [
        pid for pid, fields in table.items() if int(fields[1]) in group and _command(pid).startswith("ffmpeg")
    ]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_killed_mid_encode_takes_its_ffmpeg_along_and_the_story_still_gets_published(
    tmp_path, long_clip
):
    """Within 60 s of the kill, and the story encoded by one attempt at a time: the second."""
    var_dir = tmp_path
    scratch_root = var_dir / "tmp"
    scratch_root.mkdir()
    env = faults.embedded_env(
        var_dir,
        TMPDIR=str(scratch_root),
        STORIES_LEASE_SECONDS=str(LEASE_SECONDS),
        STORIES_HEARTBEAT_SECONDS="1",
        STORIES_SWEEP_SECONDS="1",
    )
    slow_ffmpeg = var_dir / "slow-ffmpeg"
    slow_ffmpeg.write_text(SLOW_FFMPEG.format(python=sys.executable, ffmpeg=runner.ffmpeg_binary()))
    slow_ffmpeg.chmod(0o755)

    services: list[processes.Service] = []
    try:
        doomed = faults.worker("doomed", {**env, "FFMPEG_BINARY": str(slow_ffmpeg)}, var_dir)
        services.append(doomed)
        doomed.wait_for_log(" ready.", timeout=90)
        posted = faults.upload(env, var_dir, long_clip)
        assert posted["status"] == 202, posted
        story_id = posted["body"]["id"]

        deadline = time.monotonic() + 60
        encoders: list[int] = []
        while not encoders and time.monotonic() < deadline:
            encoders = ffmpeg_children_of_group(doomed.proc.pid)
            time.sleep(0.1)
        assert encoders, f"no ffmpeg started:\n{doomed.log()[-3000:]}"
        scratch = list((scratch_root / "stories-work").glob("story-*"))
        assert len(scratch) == 1, scratch

        os.killpg(doomed.proc.pid, signal.SIGKILL)  # the whole group at once, as OOM or a lost host
        killed_at = time.monotonic()
        while any(_stat(pid) for pid in encoders) and time.monotonic() - killed_at < 3:
            time.sleep(0.05)
        assert not any(_stat(pid) for pid in encoders), "ffmpeg outlived its worker by 3 s"
        assert faults.story_row(var_dir, story_id)["state"] == "processing"
        assert scratch[0].exists()  # nobody cleaned up after the dead worker

        successor = faults.worker("successor", env, var_dir)
        services.append(successor)
        services.append(faults.celery("beat", ["beat", "--loglevel", "INFO"], env, var_dir))
        successor.wait_for_log(" ready.", timeout=90)
        assert not scratch[0].exists()  # cleared when the next worker started

        row = {}
        while time.monotonic() - killed_at < 60:
            row = faults.story_row(var_dir, story_id)
            if row["state"] != "processing":
                break
            time.sleep(0.2)
        assert (row["state"], row["processing_attempts"], row["failure_reason"]) == ("ready", 2, ""), (
            row,
            successor.log()[-3000:],
        )
        assert "queueing it again" in successor.log()  # the sweeper, run by beat, re-queued it
    finally:
        for service in reversed(services):
            service.stop()
