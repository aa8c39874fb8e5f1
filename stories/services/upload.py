"""Posting a story: checking what a person chose and keeping their upload.

The story row is the durable record of an upload. It is committed (state `processing`, not yet
claimed by any attempt) together with what other apps attach to it (its stickers:
stories/attachments.py) before anything is sent to the broker; the message is sent after the
commit, and when the broker is down the upload is still accepted: the sweeper
(processing.stories_requeue_stuck, every STORIES_SWEEP_SECONDS) sends it once the broker is back.
So an upload never depends on the broker being up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import F

from accounts.models import User
from stories_site.errors import Invalid

from .. import attachments, media
from ..models import Kind, Sound, Story
from ..options import OWN_OPTIONS, options_clean
from .common import author_ensure_can_post, file_store, stored_delete, upload_read_head
from .hashtags import caption_entities, story_tag
from .processing import story_dispatch_processing

UNREADABLE_UPLOAD = (
    "This file is not a video or photo we can read (MP4, MOV, WebM, MKV, JPEG, PNG, WebP or HEIC)."
)


@dataclass(frozen=True)
class StoryOptions:
    """What a person chose when posting, checked (stories/options.py declares each option)."""

    fields: dict[str, Any]  # Story field -> value
    attached: dict[str, dict[str, Any]] = field(default_factory=dict)  # attachment -> its options


def story_options_clean(*, author: User, **values: Any) -> StoryOptions:
    """Check a person's choices, given by option name (stories/options.py; absent ones take
    their defaults); raises Invalid with one plain message per field."""
    cleaned = options_clean(author=author, values=values)
    fields = {option.story_field: cleaned[option.name] for option in OWN_OPTIONS}
    attached = {
        attachment.name: {option.name: cleaned[option.name] for option in attachment.options}
        for attachment in attachments.registered()
    }
    return StoryOptions(fields=fields, attached=attached)


def story_create(*, author: User, upload: IO[bytes], options: StoryOptions, enqueue: bool = True) -> Story:
    """Keep the original, commit the row, then queue processing (`enqueue=False` is for callers
    that process inline, like the demo command).

    Only a failure before the commit deletes the stored original. Queueing happens after it and
    cannot undo it: a broker that is down is logged and the sweeper queues the story later."""
    author_ensure_can_post(author=author)
    head = upload_read_head(upload=upload)
    if not head:
        raise Invalid({"media": "The file is empty."})
    family = media.sniff_family(head)
    if family is None:
        raise Invalid({"media": UNREADABLE_UPLOAD})
    kind = Kind.PHOTO if family == "photo" else Kind.VIDEO
    original = file_store(
        source=upload, prefix="originals", extension="bin", content_type="application/octet-stream"
    )
    try:
        with transaction.atomic():
            entities = caption_entities(caption=options.fields["caption"])
            story = Story.objects.create(
                author=author, kind=kind, original=original, caption_entities=entities, **options.fields
            )
            story_tag(story=story, entities=entities)
            if story.sound_id:
                Sound.objects.filter(pk=story.sound_id).update(use_count=F("use_count") + 1)
            for attachment in attachments.registered():
                attachment.create(story, options.attached.get(attachment.name, {}))
    except Exception:
        stored_delete(original)
        raise
    if enqueue:
        # Outside the try: once the row is committed the upload is kept whatever queueing does.
        # Inside an outer transaction this waits for its commit; robust: an unexpected error is
        # logged, never turned into a failed request (the sweeper still finds the story).
        def dispatch_after_commit() -> None:
            story_dispatch_processing(story_id=story.pk)

        transaction.on_commit(dispatch_after_commit, robust=True)
    return story
