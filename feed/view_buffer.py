"""Signed-in views written behind: the player's report goes to a Redis list in one round trip,
and a flush counts the list into PostgreSQL through the very function that counts a view as it
comes (`feed.view_counting.view_count`, with the instant the view was reported), so both ways
write the same rows.

Why: the view report is the busiest write the site has (the player reports every item it
shows), and counting one exactly is two upserts on indexed tables, two to three times a bare
INSERT however it is written (docs/benchmarks.md, "Analytics"). One Redis round trip costs less than the
bare INSERT; the database work moves out of the request into a batch in one transaction.

When it is on: `STORIES_VIEW_BUFFER` (on when REDIS_URL is set). Every signed-in report goes
through it, the author's own views included (a row, no figures, as when counted at once).
Signed-out views and the retention curve are counted in the request, as before.

Exactly once:
* one flusher at a time (a Redis lock);
* a batch is claimed by renaming the list (atomic, in a script) and given an id; the counts and
  a `ViewFlush` row with that id commit in one transaction, and only then is the batch dropped
  from Redis. A flusher that dies before the commit leaves the batch for the next one; one that
  dies after it leaves an id the database already has, and the batch is dropped uncounted;
* a report whose push failed in flight (Redis went away after taking it) is counted as it
  comes instead; the buffered copy carries the same instant, so the repeat window
  (STORIES_VIEW_REPEAT_SECONDS) makes it a repeat when it is flushed, and a completion counts
  once per person anyway.

Read your own views: the viewers with views in the buffer are kept in a set; a read of the
viewer's own seen state (the feeds, the tray) calls `view_buffer_settle`, which flushes first
when the viewer is in it. Everyone else sees a view within STORIES_VIEW_FLUSH_SECONDS (beat's
`feed.tasks.flush_views`), and an author's analytics flush before they are read.

A story or account deleted while its views wait is skipped at the flush, as its counted views
would have been deleted with it. A batch that keeps failing (three attempts) is counted view by
view, each in a savepoint, and a view that still fails is logged and dropped: one bad event
must not hold up everyone's views.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.exceptions
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone
from redis.exceptions import LockError

from accounts.models import User
from stories.models import Story
from stories_site.health import REDIS_ERRORS

from .models import ViewFlush
from .view_counting import view_count

logger = logging.getLogger(__name__)

PENDING = "views:pending"  # the list reports go to
WAITING = "views:waiting"  # the viewers with a view in PENDING
FLUSHING = "views:flushing"  # the batch being counted
FLUSHING_VIEWERS = "views:flushing-viewers"  # the viewers with a view in FLUSHING
BATCH = "views:batch"  # the id of FLUSHING
ATTEMPTS = "views:attempts"  # failed attempts at FLUSHING
LOCK = "views:flush-lock"
# A flush holds the lock at most this long (then it is free for the next one: a batch is only
# dropped after its own commit, so an overlap cannot count it twice).
LOCK_SECONDS = 120
GIVE_UP_AFTER = 3
# Flushed batch ids are kept this long: a flusher is never away longer.
LEDGER_KEPT = timedelta(days=1)

# Takes up a batch left by a flusher that died, else makes the pending list the batch.
# Returns [batch id, 1 for a new batch or 0 for a left one], or nil when there is nothing.
_CLAIM = """
local batch = redis.call('GET', KEYS[3])
if batch then return {batch, 0} end
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
redis.call('RENAME', KEYS[1], KEYS[2])
if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('RENAME', KEYS[4], KEYS[5]) end
redis.call('SET', KEYS[3], ARGV[1])
return {ARGV[1], 1}
"""


# The report and its viewer in one round trip, both or neither.
_PUSH = """
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
"""


class _Buffer:
    """The buffer's Redis client, its keys (the cache's prefix applied) and the push script,
    made once per cache connection (one per thread): the cache's `get_client` builds a client
    per call, and building one costs more than a round trip."""

    def __init__(self, connection: Any) -> None:
        # No round trip here: this runs before a reader knows whether Redis is up.
        self.client = connection.get_client(write=True)
        self.key = {name: cache.make_key(name) for name in _NAMES}
        self.push_keys = (self.key[PENDING], self.key[WAITING])
        self.push_sha: str | None = None

    def push(self, event: str, viewer_id: int) -> None:
        """By digest (EVALSHA), loaded on first use and again when a restarted Redis has
        forgotten it."""
        if self.push_sha is None:
            self.push_sha = self.client.script_load(_PUSH)
        try:
            self.client.evalsha(self.push_sha, 2, *self.push_keys, event, viewer_id)
        except redis.exceptions.NoScriptError:
            self.push_sha = self.client.script_load(_PUSH)
            self.client.evalsha(self.push_sha, 2, *self.push_keys, event, viewer_id)


_NAMES = (PENDING, WAITING, FLUSHING, FLUSHING_VIEWERS, BATCH, ATTEMPTS, LOCK)
_buffers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _buffer() -> _Buffer | None:
    """None when the buffer is off or the cache is not Redis."""
    if not settings.STORIES_VIEW_BUFFER:
        return None
    connection = getattr(cache, "_cache", None)
    buffer = _buffers.get(connection) if connection is not None else None
    if buffer is None:
        if not hasattr(connection, "get_client"):
            return None
        buffer = _buffers[connection] = _Buffer(connection)
    return buffer


def view_buffer_enabled() -> bool:
    """On when the settings ask for it and the cache is Redis (the buffer lives there)."""
    return _buffer() is not None


def view_buffer_push(*, story: Story, viewer: User, impression: bool, completed: bool) -> bool:
    """Buffer a signed-in view, stamped now; False when it was not buffered (the buffer is off,
    or Redis is unreachable), and the caller counts it as it comes."""
    buffer = _buffer()
    if buffer is None:
        return False
    # story id, viewer id, POSIX time (time-machine moves it in tests too), what was seen
    event = f"{story.pk} {viewer.pk} {time.time()!r} {int(impression)}{int(completed)}"
    try:
        buffer.push(event, viewer.pk)
    except REDIS_ERRORS as exc:
        logger.warning("View buffer unreachable, counting the view now: %r", exc)
        return False
    return True


def view_buffer_settle(*, viewer: User | None) -> None:
    """Before reading the viewer's own seen state: count their buffered views, if they have any
    (one Redis round trip when they have none; nothing when the buffer is off)."""
    if viewer is None or not viewer.is_authenticated:
        return
    buffer = _buffer()
    if buffer is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return  # off; or inside a transaction, where a flush must not run (view_buffer_flush)
    try:
        with buffer.client.pipeline(transaction=False) as pipe:
            pipe.sismember(buffer.key[WAITING], viewer.pk)
            pipe.sismember(buffer.key[FLUSHING_VIEWERS], viewer.pk)
            waiting = any(pipe.execute())
    except REDIS_ERRORS:
        return  # the views wait in Redis; the page shows them unseen until it is back
    if waiting:
        view_buffer_flush(wait_seconds=5)


def view_buffer_flush(*, wait_seconds: float = 0) -> int:
    """Count what the buffer holds (a batch left by a flusher that died first); returns the
    views counted. Waits up to `wait_seconds` for a flush already running, else returns 0."""
    buffer = _buffer()
    if buffer is None:
        return 0
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        # Its counts would commit with the caller, after the batch has left Redis: the caller
        # reads a flush behind, and beat counts the batch.
        logger.warning("view_buffer_flush called inside a transaction: not flushing")
        return 0
    client, key = buffer.client, buffer.key
    lock = client.lock(key[LOCK], timeout=LOCK_SECONDS, blocking_timeout=wait_seconds or None)
    try:
        if not lock.acquire(blocking=wait_seconds > 0):
            return 0
    except REDIS_ERRORS:
        return 0
    counted = 0
    try:
        # A left batch, then the pending one: at most two, so a busy site cannot keep one
        # flusher here for ever.
        for _ in range(2):
            claim_keys = [key[name] for name in (PENDING, FLUSHING, BATCH, WAITING, FLUSHING_VIEWERS)]
            claimed = client.eval(_CLAIM, 5, *claim_keys, uuid.uuid4().hex)
            if not claimed:
                break
            batch, fresh = claimed[0].decode(), int(claimed[1])
            counted += _batch_count(client, key, batch)
            client.delete(*(key[name] for name in (FLUSHING, FLUSHING_VIEWERS, BATCH, ATTEMPTS)))
            if fresh:
                break
    except REDIS_ERRORS as exc:
        logger.warning("View buffer unreachable during a flush, retried on the next: %r", exc)
    except DatabaseError:
        logger.exception("Counting buffered views failed; the batch waits for the next flush")
    finally:
        # Expired, or Redis gone: the lock frees itself.
        with contextlib.suppress(LockError, *REDIS_ERRORS):
            lock.release()
    return counted


def _batch_count(client, key: dict[str, str], batch: str) -> int:
    """Count the claimed batch once: with its ledger row in one transaction, or view by view
    after GIVE_UP_AFTER failed attempts."""
    if ViewFlush.objects.filter(batch=batch).exists():
        return 0  # counted by a flusher that died before clearing it
    events = [_event(raw) for raw in client.lrange(key[FLUSHING], 0, -1)]
    events = [event for event in events if event is not None]
    one_by_one = int(client.get(key[ATTEMPTS]) or 0) >= GIVE_UP_AFTER
    try:
        with transaction.atomic():
            ViewFlush.objects.create(batch=batch, views=len(events))
            _events_count(events, one_by_one=one_by_one)
    except Exception:
        client.incr(key[ATTEMPTS])
        raise
    ViewFlush.objects.filter(flushed_at__lt=timezone.now() - LEDGER_KEPT).delete()
    return len(events)


def _event(raw: bytes) -> tuple[str, int, datetime, bool, bool] | None:
    try:
        story_id, viewer_id, at, (impression, completed) = raw.decode().split(" ")
        at = datetime.fromtimestamp(float(at), tz=UTC)
        return str(uuid.UUID(story_id)), int(viewer_id), at, impression == "1", completed == "1"
    except (ValueError, TypeError) as exc:
        logger.error("Dropped a malformed buffered view %r: %r", raw[:200], exc)
        return None


def _events_count(events: list[tuple[str, int, datetime, bool, bool]], *, one_by_one: bool) -> None:
    """In the order they were reported: a person's impression, then its completion."""
    stories: dict[Any, Story] = Story.objects.in_bulk({event[0] for event in events})
    viewers: dict[int, User] = User.objects.in_bulk({event[1] for event in events})
    stories = {str(pk): story for pk, story in stories.items()}
    db = connections[DEFAULT_DB_ALIAS]
    if one_by_one and db.vendor == "postgresql":
        # Foreign keys are checked at the commit otherwise, past every savepoint.
        with db.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for story_id, viewer_id, at, impression, completed in events:
        story, viewer = stories.get(story_id), viewers.get(viewer_id)
        if story is None or viewer is None:
            continue  # deleted while the view waited: its counts would have gone with it
        if not one_by_one:
            view_count(story=story, viewer=viewer, now=at, impression=impression, completed=completed)
            continue
        try:
            with transaction.atomic():
                view_count(story=story, viewer=viewer, now=at, impression=impression, completed=completed)
        except DatabaseError:
            logger.exception("Dropped a buffered view of %s by %s: it cannot be counted", story_id, viewer_id)
