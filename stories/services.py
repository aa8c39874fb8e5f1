"""Things that change stories: creating them from an upload, processing, expiry, deletion and
the purge. Views, serializers and Celery tasks call these; the rules live nowhere else."""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from moderation.selectors import stories_under_review
from stickers import services as sticker_services

from . import lifecycle, media
from .lifecycle import State
from .models import ArchivedStory, Audience, Kind, Sound, SoundMode, Story, private_name
from .overlays import clean_overlays

logger = logging.getLogger(__name__)

MAX_PROCESSING_ATTEMPTS = 3
MAX_CAPTION_LENGTH = 500
SOUND_MAX_SECONDS = 60.0
UNREADABLE_UPLOAD = (
    "This file is not a video or photo we can read (MP4, MOV, WebM, MKV, JPEG, PNG, WebP or HEIC)."
)


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
    stickers: list[dict[str, Any]] = field(default_factory=list)
    reply_to_sticker: Any = None  # an Add Yours prompt this story answers
    answers_question: Any = None  # a Q&A question this story answers


# --- storage helpers -----------------------------------------------------------------------


def _read_head(upload: IO[bytes], size: int = media.HEAD_BYTES) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def store_file(source: IO[bytes] | Path, prefix: str, extension: str, content_type: str) -> str:
    """Save under a server-made, unguessable name with the Content-Type we determined."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return store_file(handle, prefix, extension, content_type)
    wrapped = File(source)
    wrapped.content_type = content_type  # django-storages sends this, never the client's
    return default_storage.save(private_name(prefix, extension), wrapped)


def delete_stored(*names: str) -> None:
    """Remove files from storage; a file already gone is not an error."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except FileNotFoundError:
            pass
        except Exception:
            logger.exception("Could not delete a stored file")


def _fetch(name: str, destination: Path) -> Path:
    with default_storage.open(name, "rb") as source, destination.open("wb") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)
    return destination


def _story_files(story: Story) -> list[str]:
    names = [story.media.name, story.poster.name, story.original.name]
    return [name for name in names if name]


# --- creating ------------------------------------------------------------------------------


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
        sound = available_sounds().filter(pk=_as_uuid(sound_id)).first() if _as_uuid(sound_id) else None
        if sound is None:
            errors["sound"] = "That sound does not exist."
    try:
        overlays = clean_overlays(overlays)
    except ValidationError as exc:
        errors["overlays"] = exc.messages[0]
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
        stickers=cleaned_stickers,
        reply_to_sticker=prompt,
        answers_question=question,
    )


def _as_uuid(value: Any):
    import uuid

    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def ensure_can_post(author: User) -> None:
    if not author.is_active or author.is_suspended:
        raise PermissionDenied("Your account cannot post right now.")


def create_story(*, author: User, upload: IO[bytes], options: StoryOptions, enqueue: bool = True) -> Story:
    """Keep the original and queue processing once the row is committed (`enqueue=False` is for
    callers that process inline, like the demo command)."""
    ensure_can_post(author)
    head = _read_head(upload)
    if not head:
        raise ValidationError({"media": "The file is empty."})
    family = media.sniff_family(head)
    if family is None:
        raise ValidationError({"media": UNREADABLE_UPLOAD})
    kind = Kind.PHOTO if family == "photo" else Kind.VIDEO
    original = store_file(upload, "originals", "bin", "application/octet-stream")
    try:
        with transaction.atomic():
            story = Story.objects.create(
                author=author,
                kind=kind,
                original=original,
                caption=options.caption,
                alt_text=options.alt_text,
                audience=options.audience,
                filter_name=options.filter_name,
                sound=options.sound,
                sound_mode=options.sound_mode,
                trim_start=options.trim_start,
                overlays=options.overlays or [],
                allow_comments=options.allow_comments,
                allow_downloads=options.allow_downloads,
            )
            if options.sound:
                Sound.objects.filter(pk=options.sound.pk).update(use_count=F("use_count") + 1)
            sticker_services.create_stickers(story, options.stickers, answering=options.reply_to_sticker)
            if options.reply_to_sticker is not None:
                sticker_services.link_add_yours_response(options.reply_to_sticker, story)
            if options.answers_question is not None:
                sticker_services.answer_question(options.answers_question, story)
            if enqueue:
                transaction.on_commit(lambda: enqueue_processing(story.pk))
    except Exception:
        delete_stored(original)
        raise
    return story


def enqueue_processing(story_id: Any) -> None:
    from .tasks import process_story

    process_story.delay(str(story_id))


# --- processing ----------------------------------------------------------------------------


def _begin_attempt(story_id: Any) -> Story | None:
    """Claim a processing story for one attempt; None when there is nothing to do (idempotent)."""
    updated = Story.objects.filter(pk=story_id, state=State.PROCESSING).update(
        processing_attempts=F("processing_attempts") + 1, last_attempt_at=timezone.now()
    )
    if not updated:
        return None
    return Story.objects.select_related("sound").get(pk=story_id)


def fail_story(story: Story, reason: str) -> None:
    """A failed story says why; the original goes, since nothing can be made of it."""
    original = story.original.name
    try:
        lifecycle.transition(story, State.FAILED, failure_reason=reason[:300], original="")
    except lifecycle.InvalidTransition:
        return
    delete_stored(original)


def process_story(story_id: Any) -> None:
    """Probe, trim, transcode and publish one story. Safe to run twice: a story no longer
    processing is left alone. Transient errors propagate so the task can retry."""
    story = _begin_attempt(story_id)
    if story is None:
        return
    original_name = story.original.name
    if not original_name or not default_storage.exists(original_name):
        fail_story(story, "The upload was lost before it could be processed. Please post it again.")
        return
    with tempfile.TemporaryDirectory(prefix="story-") as workdir:
        work = Path(workdir)
        try:
            source = _fetch(original_name, work / "source")
            info = media.probe(source)
            outputs = _render(story, source, info, work)
        except media.MediaError as exc:
            fail_story(story, str(exc))
            return
        stored = _store_outputs(outputs)
    now = timezone.now()
    try:
        lifecycle.transition(
            story,
            State.READY,
            kind=outputs["kind"],
            media=stored["media"],
            media_content_type=outputs["content_type"],
            poster=stored.get("poster", ""),
            duration=outputs["duration"],
            width=outputs["width"],
            height=outputs["height"],
            original="",
            failure_reason="",
            published_at=now,
            expires_at=now + timedelta(hours=settings.STORIES_LIFETIME_HOURS),
        )
    except lifecycle.InvalidTransition:
        # Deleted or removed while we worked: what we made must not outlive it.
        delete_stored(*stored.values())
        return
    delete_stored(original_name)
    sticker_services.notify_mentions(story)


def _render(story: Story, source: Path, info: Any, work: Path) -> dict[str, Any]:
    if info.kind == "video":
        sound_path = _fetch(story.sound.file.name, work / "sound") if story.sound else None
        result = media.process_video(
            source,
            work,
            trim_start=story.trim_start,
            filter_name=story.filter_name,
            sound=sound_path,
            sound_mode=story.sound_mode,
            info=info,
        )
        return {
            "kind": Kind.VIDEO,
            "media_path": result.video,
            "content_type": result.content_type,
            "extension": "mp4",
            "poster_path": result.poster,
            "poster_content_type": result.poster_content_type,
            "duration": result.duration,
            "width": result.width,
            "height": result.height,
        }
    if info.kind == "photo":
        result = media.process_photo(source, work, filter_name=story.filter_name)
        return {
            "kind": Kind.PHOTO,
            "media_path": result.image,
            "content_type": result.content_type,
            "extension": result.image.suffix.lstrip(".") or "jpg",
            "duration": settings.STORIES_PHOTO_SECONDS,
            "width": result.width,
            "height": result.height,
        }
    raise media.MediaError("This is an audio file. Add it to the sound library instead.")


def _store_outputs(outputs: dict[str, Any]) -> dict[str, str]:
    stored = {
        "media": store_file(outputs["media_path"], "stories", outputs["extension"], outputs["content_type"])
    }
    if outputs.get("poster_path"):
        try:
            stored["poster"] = store_file(
                outputs["poster_path"], "posters", "jpg", outputs["poster_content_type"]
            )
        except Exception:
            delete_stored(stored["media"])
            raise
    return stored


def requeue_stuck_stories() -> int:
    """Stories whose worker died or whose message was lost go back on the queue; after a few
    attempts they fail with a reason instead of spinning forever."""
    now = timezone.now()
    stale = now - timedelta(seconds=max(900, 2 * settings.STORIES_FFMPEG_TIMEOUT))
    never_started = now - timedelta(minutes=10)
    stuck = Story.objects.filter(state=State.PROCESSING).filter(
        Q(last_attempt_at__lt=stale) | Q(last_attempt_at__isnull=True, created_at__lt=never_started)
    )
    count = 0
    for story in stuck.only("pk", "processing_attempts", "original", "state")[:100]:
        if story.processing_attempts >= MAX_PROCESSING_ATTEMPTS:
            fail_story(story, "Processing did not finish after several tries. Please post it again.")
        else:
            Story.objects.filter(pk=story.pk, state=State.PROCESSING).update(last_attempt_at=now)
            enqueue_processing(story.pk)
        count += 1
    return count


# --- deleting, expiry and the purge ------------------------------------------------------


def delete_story(story: Story, *, by: User) -> None:
    """The author deletes an item: invisible at once and its media gone from storage at once."""
    if story.author_id != by.pk:
        raise PermissionDenied("Only the author can delete this story.")
    files = _story_files(story)
    lifecycle.transition(story, State.DELETED, media="", poster="", original="")
    delete_stored(*files)


def delete_whole_story(author: User) -> int:
    """Delete every item of the author's current Story (and anything still processing)."""
    items = Story.objects.filter(author=author, state__in=[State.PROCESSING, State.READY, State.FAILED])
    count = 0
    for story in items:
        try:
            delete_story(story, by=author)
            count += 1
        except lifecycle.InvalidTransition:
            continue
    return count


def expire_due_stories(batch_size: int = 1000) -> int:
    """Mark stories past their 24 hours as expired. They are already invisible (every read checks
    the clock); this makes the state say so and hands them to the purge."""
    due = list(
        Story.objects.filter(state=State.READY, expires_at__lte=timezone.now()).values_list("pk", flat=True)[
            :batch_size
        ]
    )
    return lifecycle.transition_many(due, State.EXPIRED) if due else 0


def purge_stories(batch_size: int = 200) -> int:
    """Remove finished stories' media and rows, keeping only anonymous aggregate counts.

    A story with an open report is kept whatever its state, so moderators can still watch it
    after it expired or was removed; once every report on it is resolved, the next run takes it.
    """
    failed_cutoff = timezone.now() - timedelta(hours=settings.STORIES_LIFETIME_HOURS)
    purgeable = Story.objects.filter(
        Q(state__in=[State.EXPIRED, State.DELETED, State.REMOVED])
        | Q(state=State.FAILED, state_changed_at__lt=failed_cutoff)
    ).exclude(pk__in=stories_under_review())
    purged = 0
    for story in purgeable.order_by("state_changed_at")[:batch_size]:
        files = _story_files(story)
        with transaction.atomic():
            if story.state != State.FAILED:
                ArchivedStory.objects.update_or_create(
                    story_id=story.pk,
                    defaults={
                        "author_id": story.author_id,
                        "kind": story.kind,
                        "final_state": story.state,
                        "created_at": story.created_at,
                        "published_at": story.published_at,
                        "like_count": story.like_count,
                        "comment_count": story.comment_count,
                        "share_count": story.share_count,
                    },
                )
            Story.objects.filter(pk=story.pk).delete()
        delete_stored(*files)
        purged += 1
    return purged


# --- sounds --------------------------------------------------------------------------------


def available_sounds():
    return Sound.objects.filter(is_removed=False).exclude(file="")


def create_sound(*, owner: User | None, upload: IO[bytes], title: str) -> Sound:
    """An original sound: probed and re-encoded to AAC, cut to a minute."""
    if owner is not None:
        ensure_can_post(owner)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the sound a title."})
    if len(title) > 100:
        raise ValidationError({"title": "The title can be at most 100 characters."})
    if media.sniff_family(_read_head(upload)) != "media":
        raise ValidationError(
            {"file": "This file is not an audio file we can read (MP3, M4A, OGG, WAV or FLAC)."}
        )
    with tempfile.TemporaryDirectory(prefix="sound-") as workdir:
        source = Path(workdir) / "source"
        with source.open("wb") as target:
            upload.seek(0)
            shutil.copyfileobj(upload, target, 1024 * 1024)
        return _sound_from_file(source, Path(workdir), owner=owner, title=title)


def _sound_from_file(source: Path, workdir: Path, **fields: Any) -> Sound:
    try:
        result = media.process_sound(source, workdir, max_seconds=SOUND_MAX_SECONDS)
    except media.MediaError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    name = store_file(result.audio, "sounds", "m4a", result.content_type)
    return Sound.objects.create(file=name, duration=result.duration, **fields)


def sound_from_story(story: Story, *, by: User) -> Sound:
    """'Use this sound': lift a clip's audio into the library so others can post with it."""
    ensure_can_post(by)
    existing = available_sounds().filter(source_story=story).first()
    if existing:
        return existing
    if story.kind != Kind.VIDEO or not story.media:
        raise ValidationError({"detail": "Only clips have a sound to use."})
    if story.sound_id and story.sound_mode == SoundMode.REPLACE:
        return story.sound
    with tempfile.TemporaryDirectory(prefix="sound-") as workdir:
        source = _fetch(story.media.name, Path(workdir) / "source")
        try:
            info = media.probe(source)
        except media.MediaError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        if not info.has_audio:
            raise ValidationError({"detail": "This clip has no sound."})
        title = f"Original sound - {story.author.name}"
        return _sound_from_file(source, Path(workdir), owner=story.author, title=title, source_story=story)
