"""The sound library: original sounds people upload and sounds lifted from clips."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError

from accounts.models import User

from .. import media
from ..models import Kind, Sound, SoundMode, Story
from .common import ensure_can_post, fetch, read_head, store_file

SOUND_MAX_SECONDS = 60.0


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
    if media.sniff_family(read_head(upload)) != "media":
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
        source = fetch(story.media.name, Path(workdir) / "source")
        try:
            info = media.probe(source)
        except media.MediaError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        if not info.has_audio:
            raise ValidationError({"detail": "This clip has no sound."})
        title = f"Original sound - {story.author.name}"
        return _sound_from_file(source, Path(workdir), owner=story.author, title=title, source_story=story)
