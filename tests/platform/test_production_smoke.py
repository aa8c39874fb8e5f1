"""The production process set: gunicorn + a Celery worker + beat, DEBUG off, static files from
collectstatic served by WhiteNoise. Uses DATABASE_URL / REDIS_URL when set (CI), else the
embedded SQLite + filesystem broker in a temp STORIES_VAR_DIR."""

import json
import os
import re
import secrets
import time
import urllib.request

import pytest

from tests.platform import processes

pytestmark = pytest.mark.slow


@pytest.fixture
def production_stack(tmp_path):
    var_dir = tmp_path
    processes.embedded_dirs(var_dir)
    port = processes.free_port()
    env = processes.production_env(
        var_dir,
        DATABASE_URL=os.environ.get("DATABASE_URL") or None,
        REDIS_URL=os.environ.get("REDIS_URL") or None,
    )
    processes.manage("migrate", "--noinput", env=env, cwd=var_dir)
    processes.manage("collectstatic", "--noinput", env=env, cwd=var_dir)
    python = processes.PYTHON
    services = []
    try:
        services.append(
            processes.start(
                "gunicorn",
                [
                    python,
                    "-m",
                    "gunicorn",
                    "stories_site.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "2",
                    "--graceful-timeout",
                    "5",
                    "--access-logfile",
                    "-",
                ],
                env=env,
                cwd=var_dir,
                log_dir=var_dir,
            )
        )
        services.append(
            processes.start(
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "stories_site",
                    "worker",
                    "-Q",
                    "default,media",
                    "-n",
                    f"smoke-{secrets.token_hex(4)}@%h",
                    "--concurrency",
                    "1",
                    "--loglevel",
                    "INFO",
                ],
                env=env,
                cwd=var_dir,
                log_dir=var_dir,
            )
        )
        services.append(
            processes.start(
                "beat",
                [python, "-m", "celery", "-A", "stories_site", "beat", "--loglevel", "INFO"],
                env=env,
                cwd=var_dir,
                log_dir=var_dir,
            )
        )
        gunicorn, worker, beat = services
        url = f"http://127.0.0.1:{port}"
        processes.wait_for_http(f"{url}/api/schema/", gunicorn)
        yield {
            "url": url,
            "env": env,
            "var_dir": var_dir,
            "gunicorn": gunicorn,
            "worker": worker,
            "beat": beat,
        }
    finally:
        for service in reversed(services):
            service.stop()


def test_production_processes_serve_pages_static_files_and_tasks(production_stack):
    url, var_dir = production_stack["url"], production_stack["var_dir"]

    status, _, body = processes.http_get(f"{url}/api/schema/")
    assert status == 200, body[:500]

    # collectstatic wrote a manifest; WhiteNoise serves the hashed name with a far-future cache.
    manifest = json.loads((var_dir / "staticfiles" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["img/icon.svg"]
    status, headers, body = processes.http_get(f"{url}/static/{hashed}")
    assert status == 200
    assert b"<svg" in body
    assert "immutable" in headers.get("Cache-Control", ""), dict(headers)
    # Browsers ask for /favicon.ico where a page names no icon (the admin's): the hashed icon.
    status, headers, _ = processes.http_get(f"{url}/favicon.ico")
    assert (status, headers["Location"]) == (302, f"/static/{hashed}")

    # Only the hashed copies are collected, and no page names anything else: every static file
    # the home page and the API docs (Swagger UI from the sidecar) name is served.
    assert not (var_dir / "staticfiles" / "img" / "icon.svg").exists()
    compressed = [path.name for path in (var_dir / "staticfiles").rglob("*.gz")]
    assert any(name.endswith(".js.gz") for name in compressed)
    assert not [name for name in compressed if name.endswith(".map.gz")]  # maps: stored as they are
    for page in ("/", "/api/docs/"):
        status, _, body = processes.http_get(f"{url}{page}")
        assert status == 200, body[:1000]
        named = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', body.decode()))
        assert len(named) >= 2, (page, named)
        for path in named:
            status, _, _ = processes.http_get(f"{url}{path}")
            assert status == 200, (page, path)

    # A task goes through the configured broker (Redis in CI, the filesystem otherwise).
    result = processes.send_task(
        production_stack["env"],
        var_dir,
        "stories_site.ping",
        args=("prod",),
        worker=production_stack["worker"],
    )
    assert result == "prod"

    beat = production_stack["beat"]
    beat.wait_for_log("beat: Starting...", timeout=30)
    time.sleep(3)
    assert beat.alive(), beat.log()[-3000:]
    # The schedule file lives in STORIES_VAR_DIR, not in the working directory or the checkout.
    assert list(var_dir.glob("celerybeat-schedule*")), sorted(p.name for p in var_dir.iterdir())

    _a_view_reaches_the_counts(production_stack)


# Made in the stack's own database by `manage.py shell`: an author's live story, and a viewer's
# API token.
_VIEW_WORLD = """
import json
from datetime import timedelta
from django.utils import timezone
from rest_framework.authtoken.models import Token
from accounts.models import User
from stories.models import Story
import secrets
tag = secrets.token_hex(4)
author = User.objects.create_user(username=f"smoke_author_{tag}", password="x" * 20)
viewer = User.objects.create_user(username=f"smoke_viewer_{tag}", password="x" * 20)
now = timezone.now()
story = Story.objects.create(author=author, kind="image", state="ready", media="smoke.jpg",
                             published_at=now, expires_at=now + timedelta(hours=24))
print(json.dumps({"story": str(story.pk), "token": Token.objects.create(user=viewer).key}))
"""
_VIEW_COUNTS = """
import json
from feed.models import ViewFlush
from stories.models import StoryDailyStats
row = StoryDailyStats.objects.filter(story_id="{story}").first()
print(json.dumps([row.impressions if row else 0, ViewFlush.objects.count()]))  # the last line
"""


def _shell(code: str, env: dict, var_dir) -> str:
    """The last line the code printed (the log lines come before it)."""
    return processes.manage("shell", "-c", code, env=env, cwd=var_dir).stdout.strip().splitlines()[-1]


def _a_view_reaches_the_counts(stack) -> None:
    """A signed-in view reported over HTTP is counted: with Redis, written behind and counted by
    beat's flush on the worker, with nobody reading (feed/view_buffer.py); without, at once."""
    env, var_dir = stack["env"], stack["var_dir"]
    world = json.loads(_shell(_VIEW_WORLD, env, var_dir))
    request = urllib.request.Request(
        f"{stack['url']}/api/v1/stories/{world['story']}/views/",
        data=b'{"completed": true}',
        headers={"Authorization": f"Token {world['token']}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
    buffered = bool(env.get("REDIS_URL"))
    deadline = time.monotonic() + 60
    while True:
        code = _VIEW_COUNTS.format(story=world["story"])
        impressions, flushes = json.loads(_shell(code, env, var_dir))
        if impressions or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert (impressions, flushes > 0) == (1, buffered), stack["worker"].log()[-3000:]
