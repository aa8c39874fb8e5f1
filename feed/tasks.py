"""Feed's periodic work: counting the buffered views (feed/view_buffer.py)."""

from __future__ import annotations

from celery import shared_task

from .view_buffer import view_buffer_flush


@shared_task(name="feed.tasks.flush_views", ignore_result=True)
def flush_views() -> int:
    """Beat runs it every STORIES_VIEW_FLUSH_SECONDS while the buffer is on; a run that finds
    another flush running leaves it be (the next one comes seconds later)."""
    return view_buffer_flush()
