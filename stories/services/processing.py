"""Processing an upload: dispatching it to the media queue, the attempt that claims it under a
lease and transcodes it, and the sweeper that gives stuck stories back to the queue.

Why leases (stories/lifecycle.py): a worker can die mid-encode (OOM kill, lost host) without
telling anyone. Its attempt holds a lease a heartbeat renews every STORIES_HEARTBEAT_SECONDS; once
the heartbeat stops, the lease lapses after STORIES_LEASE_SECONDS and the sweeper, which beat runs
every STORIES_SWEEP_SECONDS, re-queues the story. With the defaults (10, 30, 20) a story whose
worker died is back on the queue within 50 s, instead of waiting for the broker's visibility
timeout. Claims are exclusive, so a message delivered twice (the broker redelivering, the sweeper
re-queueing) never encodes a story twice at the same time, and only the lease holder publishes.

What the sweeper re-queues, and what it leaves alone:

* a lease that lapsed: the attempt's worker is gone. After MAX_PROCESSING_ATTEMPTS the story fails
  instead (a file that kills its worker must not loop);
* a story never handed to the broker (`dispatched_at` null): the broker was down at upload, or a
  re-queue could not be sent. Sent again once it is back; a few seconds of grace first, since the
  upload's own request sends it right after its commit;
* a story handed to the broker STORIES_REDISPATCH_SECONDS ago (an hour) and never claimed since:
  the safety net for a message the broker lost. A second message for a story still waiting in a
  long backlog is harmless (its claim finds nothing to do).

A story merely waiting in the backlog (dispatched, unclaimed, younger than the safety net) is
never re-queued: that would put it on the queue twice.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections
from django.db.models import Q
from django.utils import timezone

from stories_site.observability import observe_processing

from .. import lifecycle, media
from ..lifecycle import Lease, State
from ..models import Kind, Story
from . import scheduling
from .common import file_store, logger, stored_delete, stored_fetch, work_directory

MAX_PROCESSING_ATTEMPTS = 3
LOST_UPLOAD = "The upload was lost before it could be processed. Please post it again."
TOO_MANY_ATTEMPTS = f"Processing did not finish after {MAX_PROCESSING_ATTEMPTS} tries. Please post it again."
TIMED_OUT = "This file took too long to process. Try a shorter or smaller file."
# The upload's own request sends the message right after its commit; the sweeper waits this long
# before deciding that it could not.
DISPATCH_GRACE = timedelta(seconds=10)
# How hard a request tries to reach the broker: once more half a second later, then it leaves the
# story to the sweeper (each try also gives up on connecting after socket_connect_timeout).
DISPATCH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# What a broker that is down or unreachable raises when a message is sent.
BROKER_ERRORS = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)
# Errors worth another attempt: the machine failed, not the input.
TRANSIENT_ERRORS = (media.TransientMediaError, DatabaseError, OSError)

sweep_logger = logging.getLogger("stories.sweeper")


# --- dispatching ---------------------------------------------------------------------------


def story_dispatch_processing(*, story_id: Any) -> bool:
    """Hand a story to the media queue. False when the broker is unreachable: the story stays
    undispatched and the sweeper sends it once the broker is back."""
    from ..tasks import process_story

    try:
        process_story.apply_async(args=[str(story_id)], retry_policy=DISPATCH_RETRY_POLICY)
    except BROKER_ERRORS:
        logger.warning(
            "Could not queue story %s: the broker is unreachable; it will be queued once it is back",
            story_id,
            exc_info=True,
        )
        return False
    Story.objects.filter(pk=story_id, state=State.PROCESSING, lease_token="").update(
        dispatched_at=timezone.now()
    )
    return True


def story_dispatch_renditions(*, story_id: Any) -> bool:
    """Hand a ready story's poster renditions to the media queue (services/renditions.py): a task
    of their own, so they never delay the story (a stream-copied clip is ready in well under a
    second; the renditions take a few tenths more). False when the broker is unreachable: the
    pages show the poster itself until `manage.py make_renditions` makes them."""
    from ..tasks import make_renditions

    try:
        make_renditions.apply_async(args=[str(story_id)], retry_policy=DISPATCH_RETRY_POLICY)
    except BROKER_ERRORS:
        logger.warning("Could not queue story %s's renditions: the broker is unreachable", story_id)
        return False
    return True


def story_forget_dispatch(*, story_id: Any) -> None:
    """A retry that could not reach the broker: the sweeper sends the story again instead."""
    Story.objects.filter(pk=story_id, state=State.PROCESSING, lease_token="").update(dispatched_at=None)


# --- one attempt -----------------------------------------------------------------------------


def attempt_max_seconds() -> float:
    """The longest an attempt may keep renewing its lease: probe, encode and poster each within
    the ffmpeg time limit, plus ten minutes for fetching and storing files. An attempt stuck past
    it (a hung storage call) lets its lease lapse, and a later attempt takes over."""
    return 3 * settings.STORIES_FFMPEG_TIMEOUT + 600


class Heartbeat:
    """Renews an attempt's lease from a thread while the attempt works (ffmpeg runs in a child
    process, so this thread gets the GIL). Stops on its own once the lease is lost or the attempt
    has run past attempt_max_seconds()."""

    def __init__(self, lease: Lease):
        self.lease = lease
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{lease.story_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        # Bounded: a renewal waiting on a row lock must not hold the attempt up (in a test that
        # runs inside a transaction it would wait for that very transaction). A late renewal
        # finds the lease gone and changes nothing.
        self._thread.join(timeout=5)

    def _run(self) -> None:
        deadline = time.monotonic() + attempt_max_seconds()
        try:
            while not self._stop.wait(settings.STORIES_HEARTBEAT_SECONDS):
                if time.monotonic() > deadline:
                    logger.warning(
                        "Story %s: attempt ran too long; letting its lease lapse", self.lease.story_id
                    )
                    return
                try:
                    if not lifecycle.renew(self.lease):
                        self.lost = True
                        logger.warning("Story %s: lease lost to another attempt", self.lease.story_id)
                        return
                except DatabaseError:
                    # The lease lapses if this lasts; then the sweeper hands the story on.
                    logger.warning("Story %s: could not renew the lease", self.lease.story_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


def story_fail(*, story: Story, reason: str, lease_token: str | None = None) -> bool:
    """A failed story says why; the original goes, since nothing can be made of it. With
    `lease_token`, only while the story holds that lease. False: the story had moved on."""
    original = story.original.name
    try:
        lifecycle.transition(
            story, State.FAILED, lease_token=lease_token, failure_reason=reason[:300], original=""
        )
    except lifecycle.InvalidTransition:
        return False
    stored_delete(original)
    return True


def story_process(*, story_id: Any) -> None:
    """Claim, probe, trim, transcode and publish one story.

    Safe to run twice: a story no longer processing, or held by a live attempt, is left alone.
    Bad input, a timeout and a decoder crash fail the story for good (the same file would do the
    same again); transient errors release the lease and propagate so the task can retry."""
    lease = lifecycle.claim(story_id)
    if lease is None:
        return
    story = Story.objects.select_related("sound").get(pk=story_id)
    if lease.attempt > MAX_PROCESSING_ATTEMPTS:
        story_fail(story=story, reason=TOO_MANY_ATTEMPTS, lease_token=lease.token)
        return
    started = time.monotonic()
    try:
        with Heartbeat(lease):
            _attempt(story, lease)
    except Exception:
        observe_processing(time.monotonic() - started, outcome="error")
        # The task's retry is a new dispatch. Without the database the lease simply lapses, and
        # the error that stopped the attempt is the one worth reporting.
        with contextlib.suppress(DatabaseError):
            lifecycle.release(lease, dispatched_at=timezone.now())
        raise
    # ready or failed; still "processing" in memory: deleted meanwhile, or the lease was lost.
    # A scheduled story was made as a ready one was (it only waits to go live): "ready".
    outcomes = {State.READY: "ready", State.SCHEDULED: "ready", State.FAILED: "failed"}
    outcome = outcomes.get(story.state, "abandoned")
    observe_processing(time.monotonic() - started, outcome=outcome)


def _attempt(story: Story, lease: Lease) -> None:
    original_name = story.original.name
    if not original_name or not default_storage.exists(original_name):
        story_fail(story=story, reason=LOST_UPLOAD, lease_token=lease.token)
        return
    with work_directory() as work:
        try:
            source = stored_fetch(name=original_name, destination=work / "source")
            info = media.probe(source)
            outputs = _render(story, source, info, work)
        except media.MediaTimeout:
            story_fail(story=story, reason=TIMED_OUT, lease_token=lease.token)
            return
        except media.MediaError as exc:
            story_fail(story=story, reason=str(exc), lease_token=lease.token)
            return
        stored = _store_outputs(outputs)
    try:
        # To ready, or to scheduled while its publish_at is ahead (services/scheduling.py).
        scheduling.story_finish_processing(
            story=story,
            lease_token=lease.token,
            kind=outputs["kind"],
            media=stored["media"],
            media_content_type=outputs["content_type"],
            poster=stored.get("poster", ""),
            rendition_widths=[],  # a new poster: none of its renditions is made yet
            duration=outputs["duration"],
            width=outputs["width"],
            height=outputs["height"],
            original="",
            failure_reason="",
        )
    except lifecycle.InvalidTransition:
        # Deleted or removed while we worked, or our lease lapsed and a later attempt holds the
        # story: what we made must not outlive it.
        stored_delete(*stored.values())
        return
    stored_delete(original_name)
    scheduling.story_after_processing(story=story)  # live: the people it names are told; scheduled: it waits
    story_dispatch_renditions(story_id=story.pk)


def _render(story: Story, source: Path, info: Any, work: Path) -> dict[str, Any]:
    if info.kind == "video":
        sound = story.sound.file.name if story.sound else ""
        sound_path = stored_fetch(name=sound, destination=work / "sound") if sound else None
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
        "media": file_store(
            source=outputs["media_path"],
            prefix="stories",
            extension=outputs["extension"],
            content_type=outputs["content_type"],
        )
    }
    if outputs.get("poster_path"):
        try:
            stored["poster"] = file_store(
                source=outputs["poster_path"],
                prefix="posters",
                extension="jpg",
                content_type=outputs["poster_content_type"],
            )
        except Exception:
            stored_delete(stored["media"])
            raise
    return stored


# --- the sweeper -----------------------------------------------------------------------------


def stories_requeue_stuck(*, limit: int = 500) -> int:
    """Give stuck stories back to the queue (see the module docstring for which), failing those
    that used up their attempts. Returns how many stories it acted on."""
    now = timezone.now()
    acted = 0
    to_send: list[Any] = []
    lapsed = lifecycle.lapsed_leases(now).only(
        "pk", "state", "original", "processing_attempts", "lease_token", "lease_expires_at"
    )
    for story in lapsed[:limit]:
        if story.processing_attempts >= MAX_PROCESSING_ATTEMPTS:
            if lifecycle.release_lapsed(story.pk, story.lease_token, story.lease_expires_at):
                acted += story_fail(story=story, reason=TOO_MANY_ATTEMPTS, lease_token="")
        elif lifecycle.release_lapsed(
            story.pk, story.lease_token, story.lease_expires_at, dispatched_at=None
        ):
            sweep_logger.warning("Story %s: its attempt's lease lapsed; queueing it again", story.pk)
            to_send.append(story.pk)
    unclaimed = Story.objects.filter(state=State.PROCESSING, lease_token="")
    never_sent = Q(dispatched_at__isnull=True, created_at__lt=now - DISPATCH_GRACE)
    sent_long_ago = Q(dispatched_at__lt=now - timedelta(seconds=settings.STORIES_REDISPATCH_SECONDS))
    for story_id in unclaimed.filter(never_sent | sent_long_ago).values_list("pk", flat=True)[:limit]:
        if story_id not in to_send:
            to_send.append(story_id)
    for story_id in to_send:
        if not story_dispatch_processing(story_id=story_id):
            break  # the broker is down: the next sweep tries again
        acted += 1
    return acted
