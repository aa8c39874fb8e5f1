"""Start and stop the real programs (manage.py, celery, gunicorn) from tests.

Every process is started in its own session (its own process group), so stopping it means
SIGTERM to the whole group, a grace period, then SIGKILL to the group: Celery's pool children
and gunicorn's workers go with their parent and nothing outlives the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# Variables that tests/settings_test.py or the developer's shell may have set and that must not
# leak into a process that is supposed to see a clean, production-like or embedded environment.
_SCRUBBED = (
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "STORIES_TESTING",
    "STORIES_DEV_TOOLS",
    "STORIES_VAR_DIR",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "PYTEST_XDIST_WORKER",
    "PYTEST_CURRENT_TEST",
)


def clean_env(**overrides: str | None) -> dict[str, str]:
    """os.environ without test/service variables, plus `overrides` (None removes a key)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SCRUBBED and not key.startswith(("AWS_", "THROTTLE_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    # Processes get exactly the variables a test gives them, never the checkout's `.env`.
    env["STORIES_ENV_FILE"] = ""
    # The checkout on the path: processes run with cwd inside their temp VAR_DIR so nothing they
    # write relative to the working directory lands in the repository.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")]))
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def production_env(var_dir: Path, **overrides: str | None) -> dict[str, str]:
    """A production environment (DEBUG off, a fresh SECRET_KEY) served over plain HTTP on
    127.0.0.1, with `var_dir` as STORIES_VAR_DIR; `overrides` as in `clean_env`."""
    return clean_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        STORIES_VAR_DIR=str(var_dir),
        **overrides,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_dirs(var_dir: Path) -> None:
    """The folders the filesystem broker and the file result backend expect to exist."""
    for sub in ("broker/queue", "broker/processed", "broker/control", "celery-results", "media"):
        (var_dir / sub).mkdir(parents=True, exist_ok=True)


def run(
    args: Iterable[str], env: dict[str, str], cwd: Path, timeout: float = 180, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; on failure the assertion shows its output."""
    args = [str(a) for a in args]
    result = subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
        )
    return result


def manage(*args: str, env: dict[str, str], cwd: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    return run([PYTHON, BASE_DIR / "manage.py", *args], env=env, cwd=cwd, **kwargs)


@dataclass
class Service:
    """A long-running process started by `start()`, its output going to `log_path`."""

    name: str
    proc: subprocess.Popen
    log_path: Path
    _log_file: object = field(repr=False, default=None)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_for_log(self, needle: str, timeout: float = 60, *, on_a_line_with: str | None = None) -> None:
        """Until the log holds `needle` (on one line with `on_a_line_with`, when given: a task's
        name and "succeeded" have its id between them)."""

        def printed() -> bool:
            if on_a_line_with is None:
                return needle in self.log()
            return any(needle in line and on_a_line_with in line for line in self.log().splitlines())

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if printed():
                return
            if not self.alive():
                raise AssertionError(
                    f"{self.name} exited {self.proc.returncode} before printing {needle!r}:\n"
                    f"{self.log()[-4000:]}"
                )
            time.sleep(0.2)
        raise AssertionError(f"{self.name} did not print {needle!r} in {timeout}s:\n{self.log()[-4000:]}")

    def stop(self, grace: float = 10) -> None:
        """SIGTERM the leader, wait, SIGKILL the whole group; then make sure it is empty.

        Only the leader gets SIGTERM: it stops its own children (gunicorn workers, Celery's
        pool). SIGTERM to the whole group would kill prefork pool children under their parent,
        and billiard then deadlocks at exit on a queue lock a dead child held."""
        pgid = self.proc.pid  # start_new_session=True: the leader's pid is the group id
        with contextlib.suppress(ProcessLookupError):
            os.kill(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=grace)
        # The leader may be gone while pool children linger: always sweep the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        deadline = time.monotonic() + 5
        while group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if self._log_file is not None:
            self._log_file.close()
        assert not group_alive(pgid), f"{self.name}: processes of group {pgid} outlived SIGKILL"


def group_alive(pgid: int) -> bool:
    """True while a live (non-zombie) process remains in process group `pgid`."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # fields: state ppid pgrp ...
        if fields[2] == str(pgid) and fields[0] not in {"Z", "X"}:
            return True
    return False


def start(name: str, args: Iterable[str], env: dict[str, str], cwd: Path, log_dir: Path) -> Service:
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("w")
    proc = subprocess.Popen(
        [str(a) for a in args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Service(name=name, proc=proc, log_path=log_path, _log_file=log_file)


def http_get(url: str, timeout: float = 10, headers: dict[str, str] | None = None):
    """GET without following redirects; returns (status, headers, body) and never raises on 4xx/5xx."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for_http(url: str, service: Service, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if not service.alive():
            raise AssertionError(f"{service.name} exited {service.proc.returncode}:\n{service.log()[-4000:]}")
        try:
            http_get(url, timeout=2)
            return
        except OSError as error:
            last_error = error
            time.sleep(0.25)
    raise AssertionError(f"{url} did not answer in {timeout}s ({last_error}):\n{service.log()[-4000:]}")


@dataclass
class EmbeddedStack:
    """What the `embedded_worker` fixture yields: the environment of `make run` (SQLite, the
    filesystem broker, file results) in a temp VAR_DIR, with a real Celery worker consuming the
    `default` and `media` queues."""

    env: dict[str, str]
    var_dir: Path
    worker: Service

    def manage(
        self, *args: str, timeout: float = 180, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """`python manage.py <args>` against the stack's database and broker."""
        return manage(*args, env=self.env, cwd=self.var_dir, timeout=timeout, check=check)

    def python(self, code: str, timeout: float = 180, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `code` in a fresh interpreter with Django set up for the stack (stdout captured)."""
        prologue = "import django; django.setup()\n"
        return run(
            [PYTHON, "-c", prologue + code], env=self.env, cwd=self.var_dir, timeout=timeout, check=check
        )

    def send_task(self, name: str, args: tuple = (), kwargs: dict | None = None, timeout: float = 60):
        """Send task `name` through the broker and wait for its result (JSON round trip)."""
        return send_task(self.env, self.var_dir, name, args, kwargs, timeout=timeout, worker=self.worker)


def send_task(
    env: dict[str, str],
    cwd: Path,
    name: str,
    args: tuple = (),
    kwargs: dict | None = None,
    timeout: float = 60,
    worker: Service | None = None,
):
    """From a fresh interpreter configured by `env`, send task `name` and wait for its result."""
    code = (
        "import json, sys\n"
        "from stories_site.celery import app\n"
        "result = app.send_task(sys.argv[1], args=json.loads(sys.argv[2]), kwargs=json.loads(sys.argv[3]))\n"
        "print(json.dumps(result.get(timeout=float(sys.argv[4]))))\n"
    )
    completed = run(
        [PYTHON, "-c", code, name, json.dumps(list(args)), json.dumps(kwargs or {}), str(timeout)],
        env=env,
        cwd=cwd,
        timeout=timeout + 60,
        check=False,
    )
    if completed.returncode != 0:
        worker_log = worker.log()[-4000:] if worker else ""
        raise AssertionError(
            f"task {name} did not come back in {timeout}s:\n{completed.stderr[-3000:]}\n"
            f"--- worker log ---\n{worker_log}"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])
