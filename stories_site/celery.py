"""The Celery application: tasks are thin wrappers around services, found in each app's tasks.py."""

import os
from pathlib import Path

from celery import Celery, signals
from celery.schedules import crontab

from stories_site import request_log
from stories_site.heap import freeze_startup_heap

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
    sender.conf.beat_schedule = beat_schedule()


def beat_schedule() -> dict:
    """What beat runs, read from the settings once they are loaded (intervals come from the
    environment: STORIES_SWEEP_SECONDS; docs/operations.md says why each one is what it is)."""
    from django.conf import settings

    schedule = {
        "expire-stories": {"task": "stories.tasks.expire_stories", "schedule": 60.0},
        # Scheduled stories whose time has come (the ETA task's safety net): live within 60 s.
        "publish-due-stories": {"task": "stories.tasks.publish_due_stories", "schedule": 60.0},
        # Batches until the backlog is empty, at most 45 s a run (stories/services/retention.py).
        "purge-expired-stories": {"task": "stories.tasks.purge_expired_stories", "schedule": 60.0},
        # Lapsed leases and unsent uploads go back on the queue within a minute.
        "requeue-stuck-stories": {
            "task": "stories.tasks.requeue_stuck_stories",
            "schedule": float(settings.STORIES_SWEEP_SECONDS),
        },
        "reconcile-storage": {
            "task": "stories.tasks.reconcile_storage",
            "schedule": crontab(minute=41, hour=3),
            "kwargs": {"delete": True},
        },
        # Within a minute of a request: account deletions the broker lost, or whose reports
        # moderators have resolved; exports never downloaded (privacy/tasks.py).
        "finish-account-deletions": {"task": "privacy.tasks.finish_account_deletions", "schedule": 60.0},
        "clear-expired-sessions": {
            "task": "accounts.tasks.clear_expired_sessions",
            "schedule": crontab(minute=17, hour=4),
        },
    }
    if settings.STORIES_VIEW_BUFFER:
        # Signed-in views reported to Redis reach the counts within this many seconds
        # (feed/view_buffer.py); the viewer's own reads and the author's analytics flush sooner.
        schedule["flush-views"] = {
            "task": "feed.tasks.flush_views",
            "schedule": float(settings.STORIES_VIEW_FLUSH_SECONDS),
            # Queued behind a stopped worker, one is enough: each flush takes all there is.
            "options": {"expires": float(settings.STORIES_VIEW_FLUSH_SECONDS)},
        }
    return schedule


# --- Request ids and metrics in the workers (stories_site/request_log.py, observability.py) ---
_running_tasks: dict[str, list] = {}


@signals.before_task_publish.connect
def _carry_request_id(sender=None, headers=None, **kwargs) -> None:
    request_log.add_task_header(headers)


@signals.task_prerun.connect
def _restore_request_id(sender=None, task_id=None, task=None, **kwargs) -> None:
    if task is not None and task_id:
        _running_tasks[task_id] = request_log.task_started(task.request, task.name)


@signals.task_postrun.connect
def _forget_request_id(sender=None, task_id=None, **kwargs) -> None:
    request_log.task_finished(_running_tasks.pop(task_id, []))


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _worker_log_format(logger=None, **kwargs) -> None:
    """Celery replaces the root logger's handlers in a worker; with STORIES_LOG_FORMAT=json its
    lines become JSON too, with the request id of the task they belong to."""
    from django.conf import settings

    if settings.STORIES_LOG_FORMAT == "json" and logger is not None:
        request_log.use_json_logs(logger)


@signals.worker_process_init.connect
@signals.worker_ready.connect
def _freeze_startup_heap(**kwargs) -> None:
    """Pool processes and the main one (solo and thread pools run tasks there): stories_site/heap.py."""
    freeze_startup_heap()


@signals.worker_ready.connect
def _serve_worker_metrics(**kwargs) -> None:
    """A worker on a host without a web process serves the host's metrics itself."""
    from django.conf import settings

    if settings.STORIES_WORKER_METRICS_ADDRESS:
        from stories_site.observability import serve_worker_metrics

        serve_worker_metrics(settings.STORIES_WORKER_METRICS_ADDRESS)


@app.task(name="stories_site.ping")
def ping(value: str = "pong") -> str:
    """Round trip through broker and worker; the embedded-broker smoke test uses it."""
    return value
