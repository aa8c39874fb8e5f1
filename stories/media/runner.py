"""The one place that starts ffmpeg, ffprobe or the PyAV probe: time limit, priority, rlimits.

ffmpeg-python's own `run()` has no time limit, so commands are compiled with it and executed
here. Every child starts in its own session; on timeout the whole process group is killed so no
helper process outlives the request. A child also dies with the process that started it
(PR_SET_PDEATHSIG on Linux: a worker killed mid-encode, by OOM or SIGKILL to its group, takes its
ffmpeg along instead of leaving it to run on), and RLIMIT_CPU backs the time limit up.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import math
import os
import re
import resource
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from functools import cache

import ffmpeg
from django.conf import settings

from .errors import PROCESSING_FAILED, MediaError, MediaTimeout, TransientMediaError

logger = logging.getLogger(__name__)

GLOBAL_ARGS = ("-nostdin", "-hide_banner", "-loglevel", "error")
ENCODE_NICENESS = 19
# Generous for x264 at 1080p with a few threads; stops a hostile file from eating the host.
MEMORY_LIMIT_BYTES = 3 * 1024**3
# A 15 s story is tens of MB; anything far larger means something went wrong.
OUTPUT_SIZE_LIMIT_BYTES = 1024**3
# Hints in stderr that the machine (disk, permissions of our own temp dir), not the input, failed.
TRANSIENT_HINTS = (
    "No space left on device",
    "Resource temporarily unavailable",
    "Disk quota exceeded",
    "Permission denied",
    "Read-only file system",
)
PATH_PATTERN = re.compile(r"(?:file:)?/[^\s'\"]+")


def ffmpeg_binary() -> str:
    """settings.FFMPEG_BINARY, else ffmpeg on PATH, else the binary bundled with imageio-ffmpeg."""
    configured = getattr(settings, "FFMPEG_BINARY", "")
    if configured:
        return configured
    return shutil.which("ffmpeg") or _bundled_ffmpeg()


@cache
def _bundled_ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffprobe_binary() -> str | None:
    """settings.FFPROBE_BINARY, else ffprobe on PATH; None means: probe with PyAV instead."""
    if getattr(settings, "STORIES_PROBE_BACKEND", "auto") == "pyav":
        return None
    return getattr(settings, "FFPROBE_BINARY", "") or shutil.which("ffprobe")


def has_filter(name: str) -> bool:
    """Whether this ffmpeg build has the filter: builds differ (zscale needs libzimg)."""
    return name in _filters(ffmpeg_binary())


@cache
def _filters(binary: str) -> frozenset[str]:
    try:
        listing = run([binary, *GLOBAL_ARGS, "-filters"], timeout=30)
    except (MediaError, TransientMediaError):
        return frozenset()  # a build that cannot list its filters is taken to have no optional one
    rows = (line.split() for line in listing.decode(errors="replace").splitlines())
    return frozenset(row[1] for row in rows if len(row) >= 3 and "->" in row[2])


def threads() -> int:
    return max(1, int(settings.STORIES_FFMPEG_THREADS))


def default_timeout() -> float:
    return float(settings.STORIES_FFMPEG_TIMEOUT)


def compile_ffmpeg(stream_spec) -> list[str]:
    """ffmpeg-python's argument list with our global options first."""
    args = ffmpeg.compile(stream_spec, cmd=ffmpeg_binary(), overwrite_output=True)
    return [args[0], *GLOBAL_ARGS, "-filter_complex_threads", str(threads()), *args[1:]]


def run_ffmpeg(
    stream_spec, *, failure_reason: str = PROCESSING_FAILED, timeout: float | None = None
) -> bytes:
    """Compile an ffmpeg-python graph and run it at low priority."""
    return run(compile_ffmpeg(stream_spec), failure_reason=failure_reason, timeout=timeout, low_priority=True)


def run(
    args: Sequence[str],
    *,
    failure_reason: str = PROCESSING_FAILED,
    timeout: float | None = None,
    low_priority: bool = False,
) -> bytes:
    """Run a command without a shell and return its stdout.

    Raises MediaTimeout past the time limit, TransientMediaError when the machine failed and
    MediaError(failure_reason) when the command rejected its input.
    """
    limit = default_timeout() if timeout is None else timeout
    try:
        process = subprocess.Popen(
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_limit_child(low_priority, cpu_seconds=_cpu_limit(limit), parent=os.getpid()),
            close_fds=True,
            env=_child_environment(),
        )
    except OSError as exc:
        raise TransientMediaError(f"Could not start {os.path.basename(args[0])}: {exc.strerror}") from exc
    try:
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        kill_process_group(process)
        raise MediaTimeout(
            f"{os.path.basename(args[0])} ran longer than {limit:g} s and was stopped."
        ) from None
    except BaseException:
        kill_process_group(process)
        raise
    if process.returncode != 0:
        _raise_failure(args, process.returncode, stderr, failure_reason)
    return stdout


def kill_process_group(process: subprocess.Popen) -> None:
    """SIGKILL the child's whole session (it is its own group leader) and reap the child."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _child_environment() -> dict[str, str]:
    """A minimal environment: children never see the app's secrets, and few malloc arenas keep
    virtual memory under RLIMIT_AS on many-core hosts."""
    return {"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8", "MALLOC_ARENA_MAX": "2"}


def _cpu_limit(wall_seconds: float) -> int:
    """CPU seconds a child may use: every thread busy for the whole time limit, and then some. A
    backstop only; the wall-clock limit normally stops it long before."""
    return math.ceil(wall_seconds * (threads() + 1)) + 5


PR_SET_PDEATHSIG = 1


@cache
def _prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up in the parent: the child between fork and exec must not load
    libraries. None where there is none (not Linux)."""
    if os.uname().sysname != "Linux":
        return None
    try:  # the process's own symbols include libc's (find_library would start ldconfig)
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _limit_child(low_priority: bool, *, cpu_seconds: int, parent: int) -> Callable[[], None]:
    prctl = _prctl()

    def apply_limits() -> None:
        if prctl is not None:
            # SIGKILL when the thread that started us exits (kept across exec). If the parent
            # died before this line, we were already reparented: go now.
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:
                os._exit(1)
        _limit_cpu(cpu_seconds)
        if low_priority:
            # SCHED_IDLE: the encode only gets a core the web server and database leave free, so
            # pages stay fast on a small machine; on an idle machine it runs at full speed.
            os.nice(ENCODE_NICENESS)
            with contextlib.suppress(AttributeError, OSError):
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        _lower_limit(resource.RLIMIT_AS, MEMORY_LIMIT_BYTES)
        _lower_limit(resource.RLIMIT_FSIZE, OUTPUT_SIZE_LIMIT_BYTES)

    return apply_limits


def _lower_limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or soft > value:
        resource.setrlimit(which, (value, hard))


def _limit_cpu(seconds: int) -> None:
    """SIGXCPU past `seconds` of CPU, SIGKILL five seconds later; never above existing limits."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        seconds = min(seconds, hard)
    if soft != resource.RLIM_INFINITY:
        seconds = min(seconds, soft)
    new_hard = seconds + 5 if hard == resource.RLIM_INFINITY else min(hard, seconds + 5)
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, new_hard))


def _raise_failure(args: Sequence[str], returncode: int, stderr: bytes, failure_reason: str) -> None:
    message = redact(stderr.decode("utf-8", "replace"))
    logger.debug("%s exited with %s: %s", os.path.basename(args[0]), returncode, message[-2000:])
    if returncode == -signal.SIGKILL or any(hint in message for hint in TRANSIENT_HINTS):
        raise TransientMediaError(f"{os.path.basename(args[0])} failed for a reason outside the input.")
    raise MediaError(failure_reason)


def redact(text: str) -> str:
    """Drop filesystem paths from tool output before it reaches a log."""
    return PATH_PATTERN.sub("<path>", text)
