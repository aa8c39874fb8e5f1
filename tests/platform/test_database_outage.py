"""PostgreSQL stopped under a running gunicorn (DEBUG off): the API answers 503 JSON with
Retry-After, pages a plain 503 page, /healthz stays 200 and /readyz says the database is
unavailable; PostgreSQL started again, everything answers 200 with no restart. The cluster is a
throwaway one of this test's own, since the suite's database cannot be stopped under it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.platform import processes

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


@dataclass
class Cluster:
    bin: Path
    data: Path
    port: int
    log: Path

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}\n{self.log_text()}"

    def log_text(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text()[-3000:]
        return ""

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data.parent} -c fsync=off"
        self._run(
            self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "-o", options, "start"
        )

    def stop(self) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/stories"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("needs the PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    # Not under pytest's tmp_path: its parents are private to root and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="stories-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    cluster = Cluster(bin=bindir, data=root / "data", port=processes.free_port(), log=root / "postgres.log")
    cluster._run(
        bindir / "initdb", "-D", cluster.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"
    )
    cluster.start()
    try:
        cluster._run(
            bindir / "createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "stories"
        )
        yield cluster
    finally:
        with contextlib.suppress(AssertionError):
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    status, response_headers, body = processes.http_get(url, headers=headers)
    return status, dict(response_headers), body


def test_the_database_down_gives_503_and_coming_back_needs_no_restart(cluster, tmp_path):
    var_dir = tmp_path
    processes.embedded_dirs(var_dir)
    port = processes.free_port()
    env = processes.production_env(
        var_dir,
        DATABASE_URL=cluster.url,
    )
    processes.manage("migrate", "--noinput", env=env, cwd=var_dir)
    processes.manage("collectstatic", "--noinput", env=env, cwd=var_dir)
    gunicorn = processes.start(
        "gunicorn",
        [
            *(processes.PYTHON, "-m", "gunicorn", "stories_site.wsgi", "-b", f"127.0.0.1:{port}"),
            *("-w", "1", "--graceful-timeout", "5"),
        ],
        env=env,
        cwd=var_dir,
        log_dir=var_dir,
    )
    url = f"http://127.0.0.1:{port}"
    api = f"{url}/api/v1/feed/for-you/"
    try:
        processes.wait_for_http(f"{url}/healthz", gunicorn)
        assert get(api)[0] == 200
        assert get(f"{url}/")[0] == 200
        assert get(f"{url}/readyz")[0] == 200

        cluster.stop()
        status, headers, body = get(api)
        assert (status, headers["Content-Type"], headers["Retry-After"]) == (503, "application/json", "30")
        assert set(json.loads(body)) == {"detail"}
        status, headers, body = get(f"{url}/")
        assert (status, headers["Retry-After"]) == (503, "30")
        assert headers["Content-Type"].startswith("text/html")
        assert b"Stories is unavailable right now" in body
        # A session cookie: the session is read from the database in middleware, before any view.
        status, _, body = get(f"{url}/", Cookie="sessionid=abcdefghijklmnopqrstuvwxyz012345")
        assert (status, b"Stories is unavailable right now" in body) == (503, True)
        assert get(f"{url}/healthz")[0] == 200
        status, _, body = get(f"{url}/readyz")
        assert status == 503
        assert json.loads(body)["checks"]["database"] == "unavailable"

        cluster.start()
        deadline = time.monotonic() + 10
        while get(api)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert get(api)[0] == 200
        assert get(f"{url}/")[0] == 200
        assert get(f"{url}/readyz")[0] == 200
        assert gunicorn.alive()
        assert "Internal Server Error" not in gunicorn.log()
    finally:
        gunicorn.stop()
