"""Long-lived processes freeze their start-up heap (stories_site/heap.py): the purge bench traced
every purge batch over its 100 ms budget to an oldest-generation collection walking it. And the
pause that keeps collections out of the purge's row locks leaves the collector as it found it."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from stories_site.heap import heap_collection_paused

ROOT = Path(__file__).resolve().parents[2]


def frozen_after(code: str) -> int:
    """How many objects sit in the permanent generation after `code` ran in a fresh interpreter."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "stories_site.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport gc; print(gc.get_freeze_count())"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(result.stdout.split()[-1])


def test_nothing_is_frozen_by_merely_setting_django_up():
    assert frozen_after("import django; django.setup()") == 0


def test_a_web_worker_freezes_what_start_up_built():
    assert frozen_after("import stories_site.wsgi") > 10_000


def test_a_celery_pool_process_freezes_what_start_up_built():
    code = (
        "import django; django.setup()\n"
        "from celery import signals\n"
        "from stories_site.celery import app\n"
        "signals.worker_process_init.send(sender=None)"
    )
    assert frozen_after(code) > 10_000


def test_a_paused_collector_is_left_as_it_was_found():
    assert gc.isenabled()
    with heap_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with heap_collection_paused():
            pass
        assert not gc.isenabled()  # a caller that had turned it off keeps it off
    finally:
        gc.enable()
