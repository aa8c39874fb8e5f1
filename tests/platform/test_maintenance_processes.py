"""The purge and storage reconciliation on real processes: beat's purge task run by a real worker
through the broker empties the backlog in batches, and `manage.py reconcile_storage` lists, then
deletes, a stored file no row refers to."""

from __future__ import annotations

import os
import re
import time

import pytest

from tests.platform import faults, processes

pytestmark = pytest.mark.slow

BACKLOG = """
import json
from datetime import timedelta
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from accounts.models import User
from stories.lifecycle import State
from stories.models import Story, private_name

author = User.objects.create_user("expired-author", password="x")
gone = timezone.now() - timedelta(hours=1)
stories = [
    Story(
        author=author,
        kind="video",
        state=State.EXPIRED,
        media=default_storage.save(private_name("stories", "mp4"), ContentFile(b"clip")),
        poster=default_storage.save(private_name("posters", "jpg"), ContentFile(b"poster")),
        published_at=gone - timedelta(hours=24),
        expires_at=gone,
    )
    for _ in range(250)
]
Story.objects.bulk_create(stories)
orphan = default_storage.save(private_name("originals", "bin"), ContentFile(b"lost upload"))
print(json.dumps({"orphan": orphan}))
"""

COUNTS = """
import json
from stories.models import ArchivedStory, Story
print(json.dumps({"stories": Story.objects.count(), "archived": ArchivedStory.objects.count()}))
"""


def test_the_purge_and_reconciliation_run_for_real(tmp_path):
    var_dir = tmp_path
    env = faults.embedded_env(var_dir)
    orphan = faults.python(env, var_dir, BACKLOG)["orphan"]
    media = var_dir / "media"
    assert len(list((media / "stories").rglob("*.mp4"))) == 250

    worker = faults.worker("default", env, var_dir, queues="default")
    try:
        worker.wait_for_log(" ready.", timeout=90)
        purged = processes.send_task(env, var_dir, "stories.tasks.purge_expired_stories", worker=worker)
    finally:
        worker.stop()
    assert purged == 250
    assert faults.python(env, var_dir, COUNTS) == {"stories": 0, "archived": 250}
    assert list((media / "stories").rglob("*.mp4")) == []
    assert list((media / "posters").rglob("*.jpg")) == []
    batches = re.search(r"Purged 250 stories in (\d+) batches", worker.log())
    assert batches, worker.log()[-3000:]
    assert int(batches.group(1)) >= 2  # the first batch takes 100, the largest 400

    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(media / orphan, (two_days_ago, two_days_ago))
    listing = processes.manage("reconcile_storage", env=env, cwd=var_dir).stdout
    assert orphan in listing
    assert (media / orphan).exists()
    deleted = processes.manage("reconcile_storage", "--delete", env=env, cwd=var_dir).stdout
    assert "1 deleted" in deleted
    assert not (media / orphan).exists()
