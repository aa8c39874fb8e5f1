"""Making a story's poster renditions (stories/renditions.py says what they are and where they go).

The processing attempt sends a task of their own to the media queue once the story is ready
(processing.story_dispatch_renditions): after, not before, so that a stream-copied clip is as
quickly ready as before (its whole processing is well under a second, the renditions take a few tenths
more) and a failure here never fails a story that is fine. Until they are stored, and for
stories older than them, pages get the poster itself. `manage.py make_renditions` makes them for
stories that have none.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import QuerySet

from .. import media
from ..lifecycle import State
from ..models import Story
from ..renditions import rendition_name, rendition_source
from .common import stored_delete, stored_fetch, work_directory

logger = logging.getLogger("stories.renditions")

# The states whose stories are shown somewhere (an expired one in its author's archive).
SHOWN_STATES = (State.READY, State.SCHEDULED, State.EXPIRED)


def story_renditions_make(*, story: Story, source_path: Path | None = None) -> list[int]:
    """Make and store the story's renditions, and record their widths on its row; the widths.

    `source_path`: the poster or photo already on disk (the processing attempt's), else it is
    fetched from storage. A story whose poster changed or went meanwhile (deleted, purged, a
    new attempt) keeps nothing of this run: the files are deleted again. Raises MediaError for a
    picture Pillow cannot read, and what storage raises."""
    source = rendition_source(story)
    if not source:
        return []
    with work_directory() as work:
        path = source_path or stored_fetch(name=source, destination=work / "source")
        made = media.make_renditions(path, work)
        stored: list[str] = []
        try:
            for rendition in made:
                stored.append(_store_as(rendition.path, rendition_name(source, rendition.box_width)))
        except Exception:
            stored_delete(*stored)
            raise
    widths = [rendition.box_width for rendition in made]
    source_field = "poster" if story.poster else "media"
    if not Story.objects.filter(pk=story.pk, **{source_field: source}).update(rendition_widths=widths):
        stored_delete(*stored)
        return []
    story.rendition_widths = widths
    return widths


def story_renditions_make_by_id(*, story_id: Any) -> list[int]:
    """The media queue's task (stories.tasks.make_renditions, sent once the story is ready):
    a story gone or changed meanwhile is left alone, and a failure is logged, never raised: the
    story is ready and fine, and keeps showing its poster (the backfill command can try again)."""
    story = Story.objects.filter(pk=story_id, state__in=SHOWN_STATES).first()
    if story is None:
        return []
    try:
        return story_renditions_make(story=story)
    except Exception:
        logger.warning("Story %s: could not make its poster renditions", story_id, exc_info=True)
        return []


def stories_without_renditions() -> QuerySet[Story]:
    """Shown stories with a poster or photo and no renditions: what the backfill works through."""
    return (
        Story.objects.filter(state__in=SHOWN_STATES, rendition_widths=[])
        .exclude(poster="", media="")
        .order_by("created_at")
    )


def _store_as(path: Path, name: str) -> str:
    """Store `path` under exactly `name` (a rendition's name is derived from its source's, never
    chosen by storage); a file left there by an earlier run is replaced."""
    stored_delete(name)
    with path.open("rb") as handle:
        wrapped = File(handle)
        wrapped.content_type = media.RENDITION_CONTENT_TYPE  # what django-storages sends
        saved = default_storage.save(name, wrapped)
    if saved != name:
        stored_delete(saved)
        raise OSError(f"storage saved a rendition as {saved!r} instead of {name!r}")
    return saved
