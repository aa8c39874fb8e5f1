"""The cluster bench's stack on loopback: a throwaway PostgreSQL cluster, Redis, a moto S3 server,
two gunicorns, two default-queue and two media Celery workers, and beat, each in its own process
group, all configured through the documented environment variables (DEBUG off).

`Stack` is a context manager: everything it started is stopped on the way out, whatever the exit
path (an exception, Ctrl-C, SIGTERM from `bench/run.py`'s parent)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.platform import processes

PYTHON = sys.executable
BUCKET = "stories-bench"
INITDB_OPTIONS = ["-U", "postgres", "--auth=trust", "-E", "UTF8"]
GUNICORN_OPTIONS = ["-w", "2", "--graceful-timeout", "5", "--timeout", "60"]
REDIS_OPTIONS = ["--bind", "127.0.0.1", "--appendonly", "yes", "--save", "", "--protected-mode", "no"]


# Waits for the bench process to end; if the stack is still there then (the bench was killed
# before it could stop it), stops every process group working in the stack's directory and the
# PostgreSQL cluster, and removes both directories. Argument: pid, stack dir, PostgreSQL dir,
# keep-logs flag, pg_ctl stop command.
WATCHDOG = """
import os, shutil, signal, subprocess, sys, time
parent, root, pg_root, keep, *pg_stop = sys.argv[1:]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False

def groups():
    found = set()
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and (os.readlink(f"/proc/{entry}/cwd") + "/").startswith(root + "/"):
                found.add(os.getpgid(int(entry)))
        except OSError:
            pass
    found.discard(os.getpgid(0))
    return found

while alive(int(parent)):
    time.sleep(1)
for sig in (signal.SIGTERM, signal.SIGKILL):
    for group in groups():
        try:
            os.killpg(group, sig)
        except OSError:
            pass
    time.sleep(3)
if os.path.isdir(pg_root + "/data"):
    subprocess.run(pg_stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
shutil.rmtree(pg_root, ignore_errors=True)
if not keep:
    shutil.rmtree(root, ignore_errors=True)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class Postgres:
    """A throwaway cluster (initdb in a temp dir, as the postgres user when run as root, like
    .ci/run); `restart()` is the fault: `pg_ctl restart -m fast`."""

    def __init__(self) -> None:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = candidates[-1] if candidates else shutil.which("initdb")
        if not initdb:
            raise SystemExit("cluster bench: no PostgreSQL (install postgresql)")
        self.bindir = Path(initdb).parent
        # A directory of its own: the postgres user cannot enter the stack's (mode 0700, root's).
        self.root = Path(tempfile.mkdtemp(prefix="stories-cluster-pg-"))
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.root, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = _free_port()
        self.started = False

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=120,
        )

    def start(self) -> str:
        subprocess.run(
            [*self.as_postgres, str(self.bindir / "initdb"), "-D", str(self.data), *INITDB_OPTIONS],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._ctl("-o", options, "-l", str(self.log), "-w", "start")
        self.started = True
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def stop_command(self) -> list[str]:
        return [
            *self.as_postgres,
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-m",
            "fast",
            "-w",
            "stop",
        ]

    def restart(self) -> None:
        self._ctl("-m", "fast", "-w", "restart")

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(subprocess.SubprocessError):
                self._ctl("-m", "fast", "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


class Stack:
    """Everything on loopback; `env` is the production environment every process got."""

    def __init__(self, media_workers: int = 2, default_workers: int = 2, web: int = 2) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="stories-cluster-"))
        self.var_dir = self.root / "var"
        self.var_dir.mkdir()
        self.logs = self.root / "logs"
        self.logs.mkdir()
        self.postgres = Postgres()
        self.redis_port = _free_port()
        self.s3_port = _free_port()
        self.web_ports = [_free_port() for _ in range(web)]
        self.counts = {"media": media_workers, "default": default_workers}
        self.services: dict[str, processes.Service] = {}
        self.env: dict[str, str] = {}

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        self._previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        # If this process is SIGKILLed (a test's timeout, an OOM kill), nothing here runs: a
        # watchdog in a session of its own stops whatever the stack left behind.
        self.watchdog = subprocess.Popen(
            [
                *(PYTHON, "-c", WATCHDOG, str(os.getpid()), str(self.root), str(self.postgres.root)),
                *(os.environ.get("BENCH_KEEP_LOGS", ""), *self.postgres.stop_command()),
            ],
            cwd="/",
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for name in reversed(list(self.services)):
            with contextlib.suppress(Exception):
                self.services.pop(name).stop(grace=10)
        self.postgres.stop()
        self.watchdog.terminate()
        self.watchdog.wait(timeout=10)
        signal.signal(signal.SIGTERM, self._previous)
        if not os.environ.get("BENCH_KEEP_LOGS"):
            shutil.rmtree(self.root, ignore_errors=True)

    def _start(self) -> None:
        database = self.postgres.start()
        self.start_redis()
        self.services["s3"] = processes.start(
            "s3",
            [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)],
            processes.clean_env(),
            self.root,
            self.logs,
        )
        _wait_port(self.s3_port)
        self.env = processes.production_env(
            self.var_dir,
            DATABASE_URL=database,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{self.s3_port}",
            AWS_S3_REGION_NAME="us-east-1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            # A load test is a few clients from one address: the per-address and per-person
            # throttles would measure themselves. Uploads keep their production rate.
            THROTTLE_ANON="1000000/minute",
            THROTTLE_USER="1000000/minute",
            THROTTLE_AUTH="1000000/minute",
            LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="stories_site.settings",
        )
        import boto3

        boto3.client(
            "s3",
            endpoint_url=self.env["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=BUCKET)
        # Both at once: they touch different things, and each takes tens of seconds on 2 busy cores.
        collectstatic = subprocess.Popen(
            [PYTHON, processes.BASE_DIR / "manage.py", "collectstatic", "--noinput", "-v", "0"],
            env=self.env,
            cwd=self.var_dir,
            stdout=subprocess.DEVNULL,
        )
        try:
            processes.manage("migrate", "--noinput", env=self.env, cwd=self.var_dir, timeout=300)
        finally:
            if collectstatic.wait(timeout=300):
                raise RuntimeError("collectstatic failed")
        for index, port in enumerate(self.web_ports):
            self.services[f"web{index + 1}"] = processes.start(
                f"web{index + 1}",
                [PYTHON, "-m", "gunicorn", "stories_site.wsgi", "-b", f"127.0.0.1:{port}", *GUNICORN_OPTIONS],
                self.env,
                self.var_dir,
                self.logs,
            )
        for queue, count in self.counts.items():
            for index in range(1, count + 1):
                self.start_worker(queue, index)
        self.services["beat"] = processes.start(
            "beat",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "stories_site",
                "beat",
                "-s",
                self.var_dir / "celerybeat-schedule",
            ],
            self.env,
            self.var_dir,
            self.logs,
        )
        for index, port in enumerate(self.web_ports):
            processes.wait_for_http(f"http://127.0.0.1:{port}/healthz", self.services[f"web{index + 1}"])
        for queue, count in self.counts.items():
            for index in range(1, count + 1):
                self.services[f"{queue}{index}"].wait_for_log("ready.", timeout=90)

    # --- processes the faults touch ----------------------------------------------------------

    def start_redis(self) -> None:
        """Redis with an append-only file, as a broker should run: a restart keeps the queue."""
        redis_dir = self.root / "redis"
        redis_dir.mkdir(exist_ok=True)
        self.services["redis"] = processes.start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--dir", str(redis_dir), *REDIS_OPTIONS],
            processes.clean_env(),
            self.root,
            self.logs,
        )
        _wait_port(self.redis_port)

    def restart_redis(self, down_seconds: float) -> None:
        self.services.pop("redis").stop(grace=10)
        time.sleep(down_seconds)
        self.start_redis()

    def start_worker(self, queue: str, index: int) -> processes.Service:
        name = f"{queue}{index}"
        args = [PYTHON, "-m", "celery", "-A", "stories_site", "worker", "-Q", queue, "-n", f"{name}@%h"]
        args += ["--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
        # Appended, so a restarted worker's log keeps what its predecessor wrote.
        log_path = self.logs / f"{name}.log"
        if log_path.exists():
            log_path.rename(self.logs / f"{name}.{int(time.time())}.log")
        self.services[name] = processes.start(name, args, self.env, self.var_dir, self.logs)
        return self.services[name]

    def worker_encoding(self, queue: str = "media") -> tuple[str, int] | None:
        """(service name, ffmpeg pid) of a worker with an ffmpeg running under it, if any."""
        leaders = {
            service.proc.pid: name
            for name, service in self.services.items()
            if name.startswith(queue) and service.alive()
        }
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                comm = stat.read_text().split("(", 1)[1].split(")", 1)[0]
            except (OSError, IndexError):
                continue
            if comm != "ffmpeg":
                continue
            pid = int(stat.parent.name)
            ancestor = pid
            for _ in range(6):  # ffmpeg -> pool child -> worker (leader)
                ancestor = _parent(ancestor)
                if ancestor in leaders:
                    return leaders[ancestor], pid
                if ancestor <= 1:
                    break
        return None

    def kill_group(self, name: str) -> None:
        """SIGKILL a service's whole process group, as an OOM kill or a lost host would."""
        service = self.services.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.proc.pid, signal.SIGKILL)
        service.proc.wait(timeout=10)


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0
