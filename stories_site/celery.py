"""The Celery application: tasks are thin wrappers around services, found in each app's tasks.py."""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stories_site.settings")

app = Celery("stories_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_embedded_folders() -> None:
    """The embedded broker and result backend are folders; make sure they exist wherever the
    app starts (web, worker, beat, tests), so a fresh clone needs no set-up step."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)
    if settings.CELERY_RESULT_BACKEND.startswith("file://"):
        Path(settings.CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _prepare(sender, **kwargs) -> None:
    _ensure_embedded_folders()


app.conf.beat_schedule = {
    "expire-stories": {"task": "stories.tasks.expire_stories", "schedule": 60.0},
    "purge-expired-stories": {"task": "stories.tasks.purge_expired_stories", "schedule": 300.0},
    "requeue-stuck-stories": {"task": "stories.tasks.requeue_stuck_stories", "schedule": 120.0},
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17, hour=4),
    },
}


@app.task(name="stories_site.ping")
def ping(value: str = "pong") -> str:
    """Round trip through broker and worker; the embedded-broker smoke test uses it."""
    return value
