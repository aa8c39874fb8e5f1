"""A real worker with metrics and JSON logs switched on, and real uploads through the site's
middleware from other processes: what tests/platform/test_metrics.py and test_logging.py watch.

The stack is `make run`'s embedded one (SQLite, filesystem broker) in a temp STORIES_VAR_DIR,
with PROMETHEUS_MULTIPROC_DIR shared by every process it starts (the worker, its prefork child,
the uploading and the scraping interpreters), as on one production host."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.platform import processes

UPLOAD = """
import json, sys
from django.test import Client
from accounts.models import User
user, _ = User.objects.get_or_create(username="observed")
client = Client()
client.force_login(user)
with open(sys.argv[1], "rb") as handle:
    response = client.post(
        "/api/v1/stories/", {"media": handle}, HTTP_HOST="127.0.0.1", HTTP_X_REQUEST_ID=sys.argv[2]
    )
print(json.dumps({"status": response.status_code, "id": response.json().get("id"),
                  "request_id": response.get("X-Request-ID")}))
"""

STATE = """
import json, sys
from stories.models import Story
print(json.dumps({"state": Story.objects.get(pk=sys.argv[1]).state}))
"""

SCRAPE = """
import json, sys
from django.test import Client
response = Client().get("/metrics", HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION="Bearer " + sys.argv[1])
print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
"""


@dataclass
class ObservedStack:
    env: dict[str, str]
    var_dir: Path
    worker: processes.Service
    metrics_address: str
    token: str

    def python(self, code: str, *args: str) -> dict:
        """Run `code` after django.setup() in a fresh interpreter; its last line is JSON."""
        script = self.var_dir / f"script-{uuid.uuid4().hex[:8]}.py"
        script.write_text("import django; django.setup()\n" + code)
        done = processes.run(
            [processes.PYTHON, str(script), *args], env=self.env, cwd=self.var_dir, timeout=120
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    def upload(self, path: Path, request_id: str) -> dict:
        return self.python(UPLOAD, str(path), request_id)

    def wait_until_processed(self, story_id: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.python(STATE, story_id)["state"]
            if state != "processing":
                return state
            time.sleep(0.5)
        raise AssertionError(f"story {story_id} still processing:\n{self.worker.log()[-4000:]}")

    def wait_until_task_succeeded(self, task: str, timeout: float = 60) -> None:
        """Until the worker logged `task` as succeeded: work queued after the story became ready
        (its poster's renditions) is still in the queue until then."""
        self.worker.wait_for_log(task, timeout, on_a_line_with="succeeded")

    def scrape_site(self) -> dict:
        """GET /metrics through the site's middleware in another process on this "host"."""
        return self.python(SCRAPE, self.token)

    def scrape_worker(self) -> tuple[int, str]:
        status, _, body = processes.http_get(f"http://{self.metrics_address}/metrics")
        return status, body.decode()


@contextlib.contextmanager
def observed_stack(var_dir: Path) -> Iterator[ObservedStack]:
    processes.embedded_dirs(var_dir)
    multiproc_dir = var_dir / "prometheus"
    multiproc_dir.mkdir()
    address = f"127.0.0.1:{processes.free_port()}"
    token = uuid.uuid4().hex
    env = processes.clean_env(
        DEBUG="1",
        STORIES_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="stories_site.settings",
        PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir),
        STORIES_WORKER_METRICS_ADDRESS=address,
        STORIES_METRICS_TOKEN=token,
        STORIES_LOG_FORMAT="json",
    )
    processes.manage("migrate", "--noinput", env=env, cwd=var_dir)
    worker = processes.start(
        "worker",
        [
            processes.PYTHON,
            "-m",
            "celery",
            "-A",
            "stories_site",
            "worker",
            "-Q",
            "default,media",
            "-n",
            f"observed-{uuid.uuid4().hex[:8]}@%h",
            "--pool",
            "prefork",  # the production pool: the attempt runs in a child process
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        cwd=var_dir,
        log_dir=var_dir,
    )
    try:
        worker.wait_for_log("ready.", timeout=90)
        yield ObservedStack(env=env, var_dir=var_dir, worker=worker, metrics_address=address, token=token)
    finally:
        worker.stop()


def json_lines(text: str) -> list[dict]:
    """The JSON objects among a process's output lines (Celery's start-up banner is not a log
    line and is printed as it is)."""
    found = []
    for line in text.splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found
