"""A story's poster renditions: where they are stored and which one a request gets.

The renditions (stories.media.make_renditions: WebP, each covering a 9:16 box of a given width)
are the poster's smaller copies for the pages (issue #18: a lighter home page). They are stored
beside their source, the clip's poster or the photo itself, under the source's own name with the
box width added (`posters/2026/12/01/<token>.jpg.360w.webp`), so that:

* every path that deletes a story's files (delete, purge, account erasure) deletes them through
  stories.services.common.story_files, which lists the names of every width there could be,
  made or not: deleting a name that was never stored is a no-op, and a rendition can never
  outlive its story because a row said too little;
* the storage reconciler knows a rendition is in use exactly when its source is
  (rendition_source_of);
* they are served by the poster's endpoint (`?w=<width>`), behind the same visibility gate as
  the poster, with no address of their own.

`Story.rendition_widths` says which widths were made. Empty (a story older than renditions, or
one whose renditions are still being made) the endpoint answers every width with the poster
itself, so a page never breaks; `manage.py make_renditions` makes the missing ones.
"""

from __future__ import annotations

import re

from .media.renditions import RENDITION_CONTENT_TYPE, RENDITION_EXTENSION, RENDITION_WIDTHS
from .models import Kind, Story

__all__ = [
    "RENDITION_CONTENT_TYPE",
    "RENDITION_WIDTHS",
    "rendition_for",
    "rendition_name",
    "rendition_names",
    "rendition_source",
    "rendition_source_of",
]

_RENDITION = re.compile(rf"^(?P<source>.+)\.(?P<width>\d+)w\.{RENDITION_EXTENSION}$")


def rendition_source(story: Story) -> str:
    """The stored picture renditions are made from: the clip's poster, or the photo itself."""
    if story.poster:
        return story.poster.name
    if story.kind == Kind.PHOTO and story.media:
        return story.media.name
    return ""


def rendition_name(source: str, box_width: int) -> str:
    """The stored name of `source`'s rendition for a box `box_width` wide."""
    return f"{source}.{box_width}w.{RENDITION_EXTENSION}"


def rendition_names(story: Story) -> list[str]:
    """Every rendition name the story could have (made or not): what deleting it must delete."""
    source = rendition_source(story)
    if not source:
        return []
    widths = sorted({*RENDITION_WIDTHS, *(story.rendition_widths or [])})
    return [rendition_name(source, width) for width in widths]


def rendition_source_of(name: str) -> str | None:
    """The source a stored rendition belongs to, or None when `name` is not a rendition."""
    match = _RENDITION.match(name)
    return match.group("source") if match else None


def rendition_for(story: Story, wanted: int) -> str | None:
    """The stored name of the smallest rendition that covers a box `wanted` wide, else of the
    largest (it is the picture at its own size, or at the largest box: the poster has no more
    pixels to give); None when none is made: the caller serves the poster itself."""
    source = rendition_source(story)
    made = sorted(story.rendition_widths or [])
    if not source or wanted <= 0 or not made:
        return None
    fitting = [width for width in made if width >= wanted]
    return rendition_name(source, fitting[0] if fitting else made[-1])
