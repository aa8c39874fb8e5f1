"""An upload while Redis (broker and cache) is down is accepted, kept, and processed once Redis is
back: a real redis-server, started after the upload on the port the settings point at, the
sweeper in a process of its own, and a real worker."""

from __future__ import annotations

import shutil
import socket
import time

import pytest

from tests.platform import faults, processes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server on PATH"),
]

SWEEP = """
import json
from datetime import timedelta
from django.db.models import F
from stories import services
from stories.models import Story
from stories.services.processing import DISPATCH_GRACE
# As if the outage had lasted past the grace the sweeper leaves an upload's own request.
Story.objects.update(created_at=F("created_at") - DISPATCH_GRACE - timedelta(seconds=1))
print(json.dumps({"sent": services.stories_requeue_stuck()}))
"""


def start_redis(port: int, var_dir) -> processes.Service:
    server = processes.start(
        "redis",
        [
            *("redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"),
            *("--dir", str(var_dir), "--loglevel", "warning"),
        ],
        env=processes.clean_env(),
        cwd=var_dir,
        log_dir=var_dir,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise AssertionError(f"redis-server did not listen on {port}:\n{server.log()}")


def test_an_upload_while_redis_is_down_is_kept_and_processed_once_it_is_back(
    tmp_path, rotated_photo_with_gps
):
    import redis

    var_dir = tmp_path
    port = processes.free_port()
    env = faults.embedded_env(var_dir, REDIS_URL=f"redis://127.0.0.1:{port}/0")

    posted = faults.upload(env, var_dir, rotated_photo_with_gps)  # nothing listens on the port
    assert posted["status"] == 202, posted
    # Answered at once: no retry loop against the broker or the result backend in the request.
    assert posted["seconds"] < 5
    story_id = posted["body"]["id"]
    row = faults.story_row(var_dir, story_id)
    assert (row["state"], row["dispatched_at"]) == ("processing", None)
    posted_original = row["original"]
    assert (var_dir / "media" / posted_original).is_file()  # the upload is kept

    services: list[processes.Service] = []
    try:
        services.append(start_redis(port, var_dir))
        assert faults.python(env, var_dir, SWEEP) == {"sent": 1}
        assert redis.Redis(port=port).llen("media") == 1  # on the media queue, once
        assert faults.story_row(var_dir, story_id)["dispatched_at"] is not None

        media_worker = faults.worker("media", env, var_dir, queues="media")
        services.append(media_worker)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and faults.story_row(var_dir, story_id)["state"] == "processing":
            time.sleep(0.2)
        row = faults.story_row(var_dir, story_id)
        assert (row["state"], row["processing_attempts"]) == ("ready", 1), (row, media_worker.log()[-3000:])
        assert not (var_dir / "media" / posted_original).exists()  # the original went once it was ready
    finally:
        for service in reversed(services):
            service.stop()
