"""`make run`'s embedded defaults for real: SQLite + kombu's filesystem broker + file results."""

import pytest

pytestmark = pytest.mark.slow


def test_ping_round_trip_through_filesystem_broker(embedded_worker):
    assert embedded_worker.send_task("stories_site.ping", args=("hello",), timeout=60) == "hello"
    # The queue folder is drained and nothing was written outside the temp VAR_DIR.
    queue = embedded_worker.var_dir / "broker" / "queue"
    assert not [p for p in queue.iterdir() if p.name.endswith(".default.msg")]


def test_embedded_stack_uses_sqlite_and_filesystem_broker(embedded_worker):
    out = embedded_worker.python(
        "from django.conf import settings\n"
        "print(settings.DATABASES['default']['ENGINE'])\n"
        "print(settings.CELERY_BROKER_URL)\n"
        "print(settings.CELERY_TASK_ALWAYS_EAGER)\n"
    ).stdout.split()
    assert out == ["django.db.backends.sqlite3", "filesystem://", "False"]
