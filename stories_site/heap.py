"""Keep the start-up heap out of the garbage collector's way.

A long-lived process (a gunicorn worker, a Celery worker) holds on the order of a hundred
thousand objects from start-up: Django, the models, the URL conf, the settings. Python's
oldest-generation collection walks every one of them, and while it runs the process does
nothing else. In the purge bench those pauses (60 to 157 ms, six in a run) were every purge
batch that passed its 100 ms budget, with the row locks held; in the web workers they are
latency at p99. `gc.freeze()` moves everything alive at that moment into a permanent
generation the collector never walks: collections then cost only what was made since.

Called once a process is ready: `stories_site/wsgi.py` after the application is built, the
Celery worker (stories_site/celery.py) in each pool process and in the main one (solo and
thread pools run tasks there).
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    gc.collect()  # what start-up left as garbage goes first, rather than frozen for good
    gc.freeze()
