"""Storing what a caption holds: its entities on the story and a row per hashtag, once, when
the story is posted (stories/captions.py parses; this module only resolves and writes)."""

from __future__ import annotations

from django.db.models.functions import Lower

from accounts.models import User

from .. import captions
from ..models import Hashtag, Story, StoryHashtag


def _existing_usernames(lowered: list[str]) -> dict[str, str]:
    """Lower-cased name -> username as stored, for the accounts that exist (one query)."""
    rows = (
        User.objects.filter(is_active=True)
        .annotate(lowered=Lower("username"))
        .filter(lowered__in=lowered)
        .values_list("lowered", "username")
    )
    return dict(rows)


def caption_entities(*, caption: str) -> list[dict]:
    """The caption's hashtags, links, and mentions of people who have an account."""
    return captions.parse(caption, resolve_mentions=_existing_usernames)


def story_tag(*, story: Story, entities: list[dict]) -> None:
    """One StoryHashtag per distinct tag of the caption; tags seen for the first time are made."""
    tags = captions.hashtags(entities)
    if not tags:
        return
    Hashtag.objects.bulk_create([Hashtag(name=tag) for tag in tags], ignore_conflicts=True)
    ids = Hashtag.objects.filter(name__in=tags).values_list("pk", flat=True)
    StoryHashtag.objects.bulk_create(
        [StoryHashtag(story=story, hashtag_id=pk) for pk in ids], ignore_conflicts=True
    )
