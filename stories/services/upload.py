"""Posting a story: checking what a person chose and keeping their upload.

The story row is the durable record of an upload. It is committed (state `processing`, not yet
claimed by any attempt) together with its stickers before anything is sent to the broker; the
message is sent after the commit, and when the broker is down the upload is still accepted: the
sweeper (processing.requeue_stuck_stories, every STORIES_SWEEP_SECONDS) sends it once the broker
is back. So an upload never depends on the broker being up."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.models import User
from stickers import services as sticker_services

from .. import media
from ..models import Audience, Kind, Sound, SoundMode, Story
from ..overlays import clean_overlays
from .common import delete_stored, ensure_can_post, read_head, store_file
from .hashtags import caption_entities, tag_story
from .processing import dispatch_processing
from .scheduling import clean_publish_at
from .sounds import available_sounds

MAX_CAPTION_LENGTH = 500
UNREADABLE_UPLOAD = (
    "This file is not a video or photo we can read (MP4, MOV, WebM, MKV, JPEG, PNG, WebP or HEIC)."
)


# What the editor offers; the API takes any whole number of hours from 1 to 168.
LIFETIMES = (1, 6, 12, 24, 48, 168)
MIN_LIFETIME_HOURS, MAX_LIFETIME_HOURS = 1, 168


def clean_lifetime(hours: Any) -> int:
    """How long the item stays up once live: 1 to 168 whole hours; None or empty is the site's
    default (STORIES_LIFETIME_HOURS)."""
    if hours is None or hours == "":
        return settings.STORIES_LIFETIME_HOURS
    try:
        value = int(str(hours).strip())
    except ValueError:
        raise ValidationError({"lifetime_hours": ["Choose a lifetime in whole hours, 1 to 168."]}) from None
    if not MIN_LIFETIME_HOURS <= value <= MAX_LIFETIME_HOURS:
        raise ValidationError({"lifetime_hours": ["A story stays up from 1 hour to 7 days (168 hours)."]})
    return value


@dataclass(frozen=True)
class StoryOptions:
    """What a person chooses when posting, already parsed from the form or API."""

    caption: str = ""
    alt_text: str = ""
    audience: str = Audience.EVERYONE
    filter_name: str = "none"
    sound: Sound | None = None
    sound_mode: str = SoundMode.MIX
    trim_start: float = 0.0
    overlays: list[dict[str, Any]] | None = None
    allow_comments: bool = True
    allow_downloads: bool = False
    allow_replies: bool = True
    lifetime_hours: int = 24
    publish_at: datetime | None = None  # None: live once processed (services/scheduling.py)
    stickers: list[dict[str, Any]] = field(default_factory=list)
    reply_to_sticker: Any = None  # an Add Yours prompt this story answers
    answers_question: Any = None  # a Q&A question this story answers


def clean_options(
    *,
    author: User,
    caption: str = "",
    alt_text: str = "",
    audience: str = Audience.EVERYONE,
    filter_name: str = "none",
    sound_id: Any = None,
    sound_mode: str = SoundMode.MIX,
    trim_start: Any = 0.0,
    overlays: Any = None,
    allow_comments: bool = True,
    allow_downloads: bool = False,
    allow_replies: bool = True,
    lifetime_hours: Any = None,
    publish_at: Any = None,
    stickers: Any = None,
    reply_to_sticker: Any = None,
    answer: Any = None,
) -> StoryOptions:
    """Check a person's choices; raises ValidationError with plain messages per field."""
    errors: dict[str, str] = {}
    caption = (caption or "").strip()
    if len(caption) > MAX_CAPTION_LENGTH:
        errors["caption"] = f"The caption can be at most {MAX_CAPTION_LENGTH} characters."
    alt_text = (alt_text or "").strip()
    if len(alt_text) > 500:
        errors["alt_text"] = "The description can be at most 500 characters."
    if audience not in Audience.values:
        errors["audience"] = "Audience must be everyone, followers or friends."
    if filter_name not in media.FILTERS:
        errors["filter"] = f"Unknown filter. Choose one of: {', '.join(media.FILTERS)}."
    if sound_mode not in SoundMode.values:
        errors["sound_mode"] = "Sound mode must be mix or replace."
    try:
        trim = float(trim_start or 0)
        if not math.isfinite(trim) or trim < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["trim_start"] = "Trim start must be a number of seconds, 0 or more."
        trim = 0.0
    sound = None
    if sound_id not in (None, ""):
        sound = available_sounds(author).filter(pk=_as_uuid(sound_id)).first() if _as_uuid(sound_id) else None
        if sound is None:
            errors["sound"] = "That sound does not exist."
    try:
        overlays = clean_overlays(overlays)
    except ValidationError as exc:
        errors["overlays"] = exc.messages[0]
    when = None
    try:
        when = clean_publish_at(publish_at)
    except ValidationError as exc:
        errors["publish_at"] = exc.message_dict["publish_at"][0]
    cleaned_stickers: list[dict[str, Any]] = []
    try:
        cleaned_stickers = sticker_services.clean_stickers(stickers, author=author)
    except ValidationError as exc:
        errors["stickers"] = exc.messages[0]
    prompt = question = None
    try:
        if reply_to_sticker not in (None, ""):
            prompt = sticker_services.clean_add_yours_reply(reply_to_sticker, author=author)
        if answer not in (None, ""):
            question = sticker_services.clean_question_answer(answer, author=author)
    except ValidationError as exc:
        errors.update({name: messages[0] for name, messages in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return StoryOptions(
        caption=caption,
        alt_text=alt_text,
        audience=audience,
        filter_name=filter_name,
        sound=sound,
        sound_mode=sound_mode,
        trim_start=trim,
        overlays=overlays,
        allow_comments=bool(allow_comments),
        allow_downloads=bool(allow_downloads),
        allow_replies=bool(allow_replies),
        lifetime_hours=clean_lifetime(lifetime_hours),
        publish_at=when,
        stickers=cleaned_stickers,
        reply_to_sticker=prompt,
        answers_question=question,
    )


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def create_story(*, author: User, upload: IO[bytes], options: StoryOptions, enqueue: bool = True) -> Story:
    """Keep the original, commit the row, then queue processing (`enqueue=False` is for callers
    that process inline, like the demo command).

    Only a failure before the commit deletes the stored original. Queueing happens after it and
    cannot undo it: a broker that is down is logged and the sweeper queues the story later."""
    ensure_can_post(author)
    head = read_head(upload)
    if not head:
        raise ValidationError({"media": "The file is empty."})
    family = media.sniff_family(head)
    if family is None:
        raise ValidationError({"media": UNREADABLE_UPLOAD})
    kind = Kind.PHOTO if family == "photo" else Kind.VIDEO
    original = store_file(upload, "originals", "bin", "application/octet-stream")
    try:
        with transaction.atomic():
            entities = caption_entities(options.caption)
            story = Story.objects.create(
                author=author,
                kind=kind,
                original=original,
                caption=options.caption,
                caption_entities=entities,
                alt_text=options.alt_text,
                audience=options.audience,
                filter_name=options.filter_name,
                sound=options.sound,
                sound_mode=options.sound_mode,
                trim_start=options.trim_start,
                overlays=options.overlays or [],
                allow_comments=options.allow_comments,
                allow_downloads=options.allow_downloads,
                allow_replies=options.allow_replies,
                lifetime_hours=options.lifetime_hours,
                publish_at=options.publish_at,
            )
            tag_story(story, entities)
            if options.sound:
                Sound.objects.filter(pk=options.sound.pk).update(use_count=F("use_count") + 1)
            sticker_services.create_stickers(story, options.stickers, answering=options.reply_to_sticker)
            if options.reply_to_sticker is not None:
                sticker_services.link_add_yours_response(options.reply_to_sticker, story)
            if options.answers_question is not None:
                sticker_services.answer_question(options.answers_question, story)
    except Exception:
        delete_stored(original)
        raise
    if enqueue:
        # Outside the try: once the row is committed the upload is kept whatever queueing does.
        # Inside an outer transaction this waits for its commit; robust: an unexpected error is
        # logged, never turned into a failed request (the sweeper still finds the story).
        def dispatch_after_commit() -> None:
            dispatch_processing(story.pk)

        transaction.on_commit(dispatch_after_commit, robust=True)
    return story
