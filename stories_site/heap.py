"""Keep the garbage collector out of the way: of the start-up heap, and of held row locks.

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

What was made since still costs a walk, and the garbage too: a full collection that frees
100,000 objects (model instances hold their FieldFiles in a cycle, so only the collector frees
them) takes about 100 ms. Whenever it falls due, it runs in whatever the process is doing.
Code that holds row locks others wait for wraps that short stretch in `heap_collection_paused()`,
so a collection due meanwhile runs just after, with nothing held.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def freeze_startup_heap() -> None:
    gc.collect()  # what start-up left as garbage goes first, rather than frozen for good
    gc.freeze()


@contextmanager
def heap_collection_paused() -> Iterator[None]:
    """No automatic collection inside the block (keep it short: tens of milliseconds); one that
    fell due runs at the first allocation after it. Leaves the collector as it found it, so a
    caller that had disabled it keeps it disabled."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
