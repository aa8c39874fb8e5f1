"""Helpers for the fault tests on real processes (test_worker_faults, test_broker_outage,
test_database_outage, test_maintenance_processes): a migrated embedded stack in seconds, rows
read straight from its SQLite file, and celery processes started the way production runs them."""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path

from tests.platform import processes

# Signed in before the script runs (a session made directly: logging in itself fires signals that
# need the cache, which the broker-outage test has stopped along with the broker).
UPLOAD = """
import json, sys, time
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from accounts.models import User
user, _ = User.objects.get_or_create(username="uploader")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
client = Client(raise_request_exception=False)
client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
started = time.monotonic()
with open(sys.argv[1], "rb") as handle:
    response = client.post("/api/v1/stories/", {"media": handle}, HTTP_HOST="127.0.0.1")
seconds = time.monotonic() - started
print(json.dumps({"status": response.status_code, "body": response.json(), "seconds": seconds}))
"""


@functools.cache
def _migrated_database() -> Path:
    """Migrate one SQLite database per test process; each stack starts from a copy of it."""
    var_dir = Path(tempfile.mkdtemp(prefix="stories-migrated-"))
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    processes.embedded_dirs(var_dir)
    env = processes.clean_env(
        DEBUG="1", STORIES_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="stories_site.settings"
    )
    processes.manage("migrate", "--noinput", env=env, cwd=var_dir)
    return var_dir / "db.sqlite3"


def embedded_env(var_dir: Path, **overrides: str | None) -> dict[str, str]:
    """The environment of `make run` (SQLite, filesystem broker unless REDIS_URL is given) in
    `var_dir`, its database already migrated."""
    processes.embedded_dirs(var_dir)
    shutil.copyfile(_migrated_database(), var_dir / "db.sqlite3")
    return processes.clean_env(
        DEBUG="1", STORIES_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="stories_site.settings", **overrides
    )


def python(env: dict[str, str], var_dir: Path, code: str, *args: str) -> dict:
    """Run `code` (after django.setup()) in a fresh interpreter; its last stdout line is JSON."""
    path = var_dir / f"script-{uuid.uuid4().hex[:8]}.py"
    path.write_text("import django; django.setup()\n" + code)
    done = processes.run([processes.PYTHON, str(path), *args], env=env, cwd=var_dir, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def upload(env: dict[str, str], var_dir: Path, media: Path) -> dict:
    """POST /api/v1/stories/ through the whole Django stack in a process of its own."""
    return python(env, var_dir, UPLOAD, str(media))


def story_row(var_dir: Path, story_id: str) -> dict:
    """The story's processing columns, read from the stack's SQLite file."""
    with sqlite3.connect(var_dir / "db.sqlite3", timeout=10) as db:
        db.row_factory = sqlite3.Row
        row = db.execute(
            "SELECT state, processing_attempts, failure_reason, original, dispatched_at"
            " FROM stories_story WHERE id = ?",
            (uuid.UUID(story_id).hex,),
        ).fetchone()
    return dict(row)


def celery(name: str, args: list[str], env: dict[str, str], var_dir: Path) -> processes.Service:
    """`celery -A stories_site <args>`, its output in var_dir/<name>.log."""
    return processes.start(
        name,
        [processes.PYTHON, "-m", "celery", "-A", "stories_site", *args],
        env=env,
        cwd=var_dir,
        log_dir=var_dir,
    )


def worker(name: str, env: dict[str, str], var_dir: Path, queues: str = "media,default") -> processes.Service:
    """A prefork worker with one child, as production runs the media queue (not yet ready)."""
    return celery(
        name,
        [
            *("worker", "-Q", queues, "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h", "--concurrency", "1"),
            *("--loglevel", "INFO", "--without-mingle", "--without-gossip"),
        ],
        env,
        var_dir,
    )
