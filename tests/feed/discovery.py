"""Helpers for the discovery tests: stories whose captions were parsed as an upload parses them,
and sounds in the library."""

from __future__ import annotations

from stories.models import Sound, Story
from stories.services.hashtags import caption_entities, story_tag
from tests.factories import LiveStoryFactory, UserFactory

PLAIN_NAME = "Plain Person"


def person(**fields):
    """Someone with a fixed display name (the factory's random ones could match a search)."""
    fields.setdefault("display_name", PLAIN_NAME)
    return UserFactory(**fields)


def captioned(caption: str, **fields) -> Story:
    """A live story whose caption's entities and hashtags are stored as at upload."""
    entities = caption_entities(caption=caption)
    fields.setdefault("author", person())
    story = LiveStoryFactory(caption=caption, caption_entities=entities, **fields)
    story_tag(story=story, entities=entities)
    return story


def library_sound(title: str, owner=None, **fields) -> Sound:
    """A ready sound in the library (a file name, no file: nothing here plays it)."""
    return Sound.objects.create(title=title, owner=owner, file="sounds/test.m4a", duration=12.0, **fields)
