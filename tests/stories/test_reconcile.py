"""`manage.py reconcile_storage [--delete]`: stored files no row refers to, older than the grace
period, are listed (and removed); referenced, young and foreign files never are. On local
storage and on S3 (a moto server)."""

from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from stories import tasks
from stories.models import private_name
from tests.factories import UserFactory
from tests.stories.factories import ReadyStoryFactory
from tests.stories.storage import stored_files

pytestmark = pytest.mark.django_db

TWO_DAYS = 2 * 24 * 3600


def save(name: str) -> str:
    return default_storage.save(name, ContentFile(b"bytes"))


def age(name: str, seconds: float) -> None:
    """Local storage only: make a file look `seconds` old."""
    then = time.time() - seconds
    os.utime(default_storage.path(name), (then, then))


def reconcile(*args: str) -> str:
    out = StringIO()
    call_command("reconcile_storage", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def local_files():
    story = ReadyStoryFactory()
    avatar_owner = UserFactory()
    avatar_owner.avatar.name = save("avatars/kept.jpg")
    avatar_owner.save(update_fields=["avatar"])
    files = {
        "story": [story.media.name, story.poster.name],
        "avatar": avatar_owner.avatar.name,
        "old_orphan": save(private_name("originals", "bin")),  # an upload whose row never committed
        "young_orphan": save(private_name("stories", "mp4")),  # an encode about to publish
        "foreign": save("operator/notes.txt"),  # not a prefix we write
    }
    for name in [*files["story"], files["avatar"], files["old_orphan"], files["foreign"]]:
        age(name, TWO_DAYS)
    # The file system stamps the real time; the test clock may run ahead (CI shifts it 400 days).
    age(files["young_orphan"], 60)
    return files


def test_old_orphans_are_listed_then_deleted(local_files):
    everything = stored_files()
    listing = reconcile()
    assert local_files["old_orphan"] in listing
    assert local_files["young_orphan"] not in listing
    assert "5 stored files, 1 orphaned and older than 24 h: pass --delete to remove them." in listing
    assert stored_files() == everything  # listing deletes nothing

    assert "1 deleted" in reconcile("--delete")
    assert stored_files() == everything - {local_files["old_orphan"]}


def test_a_shorter_grace_takes_young_orphans_too_but_never_referenced_or_foreign_files(local_files):
    reconcile("--delete", "--grace-hours", "0")
    assert stored_files() == {*local_files["story"], local_files["avatar"], local_files["foreign"]}


def test_beat_runs_it_daily_with_delete(local_files):
    assert tasks.reconcile_storage.delay().get() == 1
    assert local_files["old_orphan"] not in stored_files()
    from stories_site.celery import beat_schedule

    entry = beat_schedule()["reconcile-storage"]
    assert entry["task"] == "stories.tasks.reconcile_storage"
    assert entry["kwargs"] == {"delete": True}
    schedule = entry["schedule"]  # a crontab: one time of day, every day
    assert (len(schedule.hour), len(schedule.minute), len(schedule.day_of_week)) == (1, 1, 7)


def test_on_s3(s3_storage):
    story = ReadyStoryFactory()
    orphan = save(private_name("posters", "jpg"))
    foreign = save("exports/report.csv")

    def keys() -> set[str]:
        return {
            item["Key"] for item in s3_storage.client.list_objects_v2(Bucket=s3_storage.bucket)["Contents"]
        }

    assert keys() == {story.media.name, story.poster.name, orphan, foreign}

    # Objects just written are within the default day of grace: listed as files, not orphans.
    assert "3 stored files, 0 orphaned" in reconcile("--delete")
    assert orphan in keys()

    listing = reconcile("--grace-hours", "0")
    assert orphan in listing
    assert story.media.name not in listing
    reconcile("--delete", "--grace-hours", "0")
    assert keys() == {story.media.name, story.poster.name, foreign}


def test_a_negative_grace_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--grace-hours must be 0 or more"):
        reconcile("--grace-hours", "-1")
