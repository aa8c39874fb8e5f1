"""The sound library: original sounds people upload and sounds lifted from clips.

Who hears a sound: a published one (an original upload, a demo sound, or a lifted sound its
author published) is public. A lifted sound that is not published yet is heard only by people who
may watch the story it came from, so it keeps that story's audience, blocks, expiry and the
author's suspension, and it is withdrawn (row hidden, files deleted) as soon as the story leaves
`ready` for deleted, expired or removed (`sounds_withdraw_lifted`, called by the lifecycle).

Lifting the sound of a story shared with followers or friends is refused to anyone but its
author: the sound would leave that audience the moment someone posted a public story with it.

Processing (ffmpeg) runs in the media worker (`stories.tasks.process_sound`), not in the request:
the row exists at once with no `file`, and is listed once the worker has made the audio.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import User
from stories_site.errors import Invalid, NotAllowed

from .. import media
from ..models import Audience, Kind, Sound, SoundMode, Story
from ..selectors import Viewer, stories_visible
from .common import author_ensure_can_post, file_store, stored_delete, stored_fetch, upload_read_head

logger = logging.getLogger(__name__)

SOUND_MAX_SECONDS = 60.0
NOT_AUDIO = "This file is not an audio file we can read (MP3, M4A, OGG, WAV or FLAC)."
NOT_PUBLIC = (
    "This story is shared with followers or friends only, so its sound cannot be used. "
    "Only stories shared with everyone lend their sound."
)


def sounds_available(*, viewer: Viewer = None) -> QuerySet[Sound]:
    """Ready sounds the viewer may hear and post with: published ones, and unpublished lifted
    ones whose story the viewer may watch now (its audience, blocks, expiry and the author's
    suspension). One lifted from a story not shared with everyone (only its author can lift
    that) stays its author's alone: a follower posting a public story with it would leak it."""
    shareable = Q(source_story__audience=Audience.EVERYONE)
    if viewer is not None and viewer.is_authenticated:
        shareable |= Q(owner=viewer)
    from_visible_story = (
        Q(published=False, source_story__in=stories_visible(viewer=viewer).values("pk")) & shareable
    )
    return (
        Sound.objects.filter(is_removed=False).exclude(file="").filter(Q(published=True) | from_visible_story)
    )


def sounds_owned(*, owner: User) -> QuerySet[Sound]:
    """The owner's sounds in every state they care about: processing, ready or failed."""
    return Sound.objects.filter(owner=owner, is_removed=False)


def sound_create(*, owner: User | None, upload: IO[bytes], title: str, inline: bool = False) -> Sound:
    """An original sound: kept as uploaded, then probed and re-encoded to AAC (cut to a minute)
    by the media worker; `inline` processes it here instead (the demo seed, which has no worker)."""
    if owner is not None:
        author_ensure_can_post(author=owner)
    title = (title or "").strip()
    if not title:
        raise Invalid({"title": "Give the sound a title."})
    if len(title) > 100:
        raise Invalid({"title": "The title can be at most 100 characters."})
    if media.sniff_family(upload_read_head(upload=upload)) != "media":
        raise Invalid({"file": NOT_AUDIO})
    upload.seek(0)
    original = file_store(
        source=upload, prefix="originals", extension="bin", content_type="application/octet-stream"
    )
    try:
        sound = Sound.objects.create(owner=owner, title=title, original=original)
    except Exception:
        stored_delete(original)
        raise
    _dispatch(sound, inline=inline)
    return sound


def sound_create_from_story(*, story: Story, by: User) -> Sound:
    """'Use this sound': lift a clip's audio into the library so others can post with it.

    The lifted sound is the story author's and stays unpublished (the story's audience) until
    they publish it; a story not shared with everyone lends its sound to its author only."""
    author_ensure_can_post(author=by)
    if story.audience != Audience.EVERYONE and story.author_id != by.pk:
        raise NotAllowed(NOT_PUBLIC)
    existing = Sound.objects.filter(source_story=story, is_removed=False).first()
    if existing:
        return existing
    if story.kind != Kind.VIDEO or not story.media:
        raise Invalid({"detail": "Only clips have a sound to use."})
    if story.sound_id and story.sound_mode == SoundMode.REPLACE:
        replaced = sounds_available(viewer=by).filter(pk=story.sound_id).first()
        if replaced is not None:
            return replaced
    sound = Sound.objects.create(
        owner=story.author,
        title=f"Original sound - @{story.author.username}",
        source_story=story,
        published=False,
    )
    _dispatch(sound)
    return sound


def sound_publish(*, sound: Sound, by: User) -> Sound:
    """The author of a lifted sound makes it a sound of its own: public, and no longer withdrawn
    with the story. Only a ready sound can be published."""
    if sound.owner_id != by.pk:
        raise NotAllowed("Only the author of this sound can publish it.")
    author_ensure_can_post(author=by)
    if not sound.published:
        if not Sound.objects.filter(pk=sound.pk, is_removed=False).exclude(file="").update(published=True):
            raise Invalid({"detail": "This sound is not ready, or it was withdrawn."})
        sound.published = True
    return sound


def sounds_withdraw_lifted(*, story_ids: list[Any]) -> int:
    """The stories left `ready` for good (deleted, expired, removed, purged): their unpublished
    lifted sounds go too, rows hidden now and files deleted after the commit. Stories already
    posted with such a sound keep their own audio (it was mixed into their clip)."""
    rows = list(
        Sound.objects.filter(source_story_id__in=story_ids, published=False, is_removed=False).values_list(
            "pk", "file", "original"
        )
    )
    if not rows:
        return 0
    Sound.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(is_removed=True, file="", original="")
    names = [name for _, file, original in rows for name in (file, original) if name]
    transaction.on_commit(lambda: stored_delete(*names))
    return len(rows)


# --- Processing (the media worker) -------------------------------------------------------------


def _dispatch(sound: Sound, *, inline: bool = False) -> None:
    if inline:
        sound_process(sound_id=sound.pk)
        sound.refresh_from_db()
        return

    def after_commit() -> None:
        from ..tasks import process_sound as task

        try:
            task.apply_async(args=[str(sound.pk)])
        except Exception:
            logger.warning("Could not queue sound %s", sound.pk, exc_info=True)

    transaction.on_commit(after_commit, robust=True)


def sound_process(*, sound_id: Any) -> None:
    """Make the sound's audio: from its uploaded original, or from its story's clip. A sound
    withdrawn meanwhile (its story deleted) is left alone and what was made is deleted."""
    pending = Sound.objects.select_related("source_story").filter(is_removed=False, file="")
    sound = pending.filter(pk=sound_id).first()
    if sound is None or sound.failure_reason:
        return
    with tempfile.TemporaryDirectory(prefix="sound-") as workdir:
        try:
            source = _source_of(sound, Path(workdir))
            result = media.process_sound(source, Path(workdir), max_seconds=SOUND_MAX_SECONDS)
        except media.MediaError as exc:
            _fail(sound, str(exc))
            return
        name = file_store(
            source=result.audio, prefix="sounds", extension="m4a", content_type=result.content_type
        )
    made = Sound.objects.filter(pk=sound.pk, is_removed=False, file="").update(
        file=name, duration=result.duration, original=""
    )
    if not made:
        stored_delete(name)
        return
    stored_delete(sound.original.name)


def _source_of(sound: Sound, workdir: Path) -> Path:
    if sound.original:
        return stored_fetch(name=sound.original.name, destination=workdir / "source")
    story = sound.source_story
    if story is None or not story.media:
        raise media.MediaError("The story this sound came from is gone.")
    source = stored_fetch(name=story.media.name, destination=workdir / "source")
    if not media.probe(source).has_audio:
        raise media.MediaError("This clip has no sound.")
    return source


def _fail(sound: Sound, reason: str) -> None:
    Sound.objects.filter(pk=sound.pk, file="").update(failure_reason=reason[:300], original="")
    stored_delete(sound.original.name)
