"""The end of a story: deletion by its author, expiry after 24 hours, and the purge.

The purge works in batches until the backlog is empty, each batch one short transaction whose
size adapts so that it holds its row locks for about PURGE_TARGET_SECONDS (limit: 0.1 s); the
files go after the commit, outside any transaction. Beat runs it every minute and a run stops
after PURGE_TIME_BUDGET_SECONDS, so runs never pile up; a backlog larger than one run can clear
is simply continued by the next.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from stories_site.errors import NotAllowed
from stories_site.heap import heap_collection_paused

from .. import lifecycle
from ..lifecycle import State
from ..models import ArchivedStory, Story
from ..purge_holds import stories_unheld, story_is_held
from ..selectors import StoryNotFound
from .cascade import stories_delete_rows
from .common import stored_delete, story_files
from .sounds import sounds_withdraw_lifted

logger = logging.getLogger("stories.purge")

# The first batch's size; a batch grows to 4 times it at most. 50, not 100: a batch of 100 took
# 60 to 67 ms on an idle machine, over the 50 ms target before anything went wrong, and 75 to
# 154 ms at load 3, over the 100 ms budget; a batch of 50 takes about 35 ms idle.
PURGE_BATCH_SIZE = 50
PURGE_TARGET_SECONDS = 0.05
PURGE_TIME_BUDGET_SECONDS = 45.0
ARCHIVED_FIELDS = [
    "author",
    "kind",
    "final_state",
    "created_at",
    "published_at",
    "like_count",
    "comment_count",
    "share_count",
]
# What a batch reads of each row it locks: the archive's fields and the files.
STORY_FIELDS_READ = [
    *(name for name in ARCHIVED_FIELDS if name != "final_state"),
    "state",
    "media",
    "poster",
    "rendition_widths",
    "original",
]


def story_delete(*, story: Story, by: User) -> None:
    """The author deletes an item: invisible at once and its media gone from storage at once,
    unless something holds it (stories/purge_holds.py: someone reported it and the report is
    still open). Then only the state changes (no one sees it any more) and its media and row stay
    for the moderators until the reports are resolved; the purge takes them then (it skips held
    stories).

    Refused: NotAllowed for anyone but the author, StoryNotFound (the family's NotFound) when it
    is already gone."""
    if story.author_id != by.pk:
        raise NotAllowed("Only the author can delete this story.")
    if story_is_held(story=story):
        _to_deleted(story)
        return
    files = story_files(story=story)
    _to_deleted(story, media="", poster="", original="")
    stored_delete(*files)


def _to_deleted(story: Story, **fields: str) -> None:
    """The move to deleted. Losing it (deleted, removed or purged since the caller read the row)
    is lifecycle's internal race signal; callers outside the lifecycle hear StoryNotFound (the
    family's NotFound), which every page and the API answer as the missing story it now is."""
    try:
        lifecycle.transition(story, State.DELETED, **fields)
    except lifecycle.InvalidTransition:
        raise StoryNotFound from None


def stories_expire_due(*, batch_size: int = 1000) -> int:
    """Mark stories past their 24 hours as expired. They are already invisible (every read checks
    the clock); this makes the state say so and hands them to the purge."""
    due = list(
        Story.objects.filter(state=State.READY, expires_at__lte=timezone.now()).values_list("pk", flat=True)[
            :batch_size
        ]
    )
    if not due:
        return 0
    from .archive import stories_archive_expired

    # One transaction: an item its author's archive keeps is never seen by the purge unmarked.
    with transaction.atomic():
        expired = lifecycle.transition_many(due, State.EXPIRED)
        stories_archive_expired(story_ids=due)
    return expired


def stories_purgeable() -> QuerySet[Story]:
    """Finished stories the purge may take: expired, deleted and removed ones, failed ones after a
    day; never one with an open report, whatever its state, so moderators can still watch it
    after it expired or was removed (once every report is resolved, the next run takes it), and
    never an expired one its author's archive keeps (stories/services/archive.py). The open
    reports are moderation's, which holds those stories through stories/purge_holds.py; the
    holds are subqueries of this one query."""
    failed_cutoff = timezone.now() - timedelta(hours=settings.STORIES_LIFETIME_HOURS)
    return stories_unheld(
        stories=Story.objects.filter(
            Q(state__in=[State.EXPIRED, State.DELETED, State.REMOVED])
            | Q(state=State.FAILED, state_changed_at__lt=failed_cutoff)
        ).exclude(state=State.EXPIRED, archived_at__isnull=False)
    )


@dataclass
class PurgeReport:
    purged: int = 0
    batches: int = 0
    longest_batch_seconds: float = 0.0
    finished: bool = True  # False: the time budget ran out with stories left for the next run


def stories_purge_batch(*, limit: int) -> tuple[int, float]:
    """Purge up to `limit` stories in one transaction: (how many, seconds the transaction took).

    The candidates are read first, outside it; inside, the rows are locked and checked again
    (a report may have arrived meanwhile), archived and deleted with their views, likes,
    comments and stickers. Their files are deleted after the commit. The garbage collector
    waits until the commit: its pauses are not the locks' business."""
    # Unordered: every purgeable story goes, so the order does not matter, and ordering made each
    # batch sort the whole backlog (50 ms a batch at 100,000; a LIMIT alone stops early). The
    # explicit order_by() matters: Story's default ordering would sort it all the same.
    candidates = list(stories_purgeable().order_by().values_list("pk", flat=True)[:limit])
    if not candidates:
        return 0, 0.0
    # No garbage collection from taking the row locks to the commit (stories_site/heap.py): a
    # full one falling due there made a batch the run's longest (96 to 175 ms in the bench, with
    # the locks held); it runs just after, at the next allocation.
    with heap_collection_paused():
        started = time.perf_counter()
        rows = _purge_locked(candidates)
        elapsed = time.perf_counter() - started
    stored_delete(*(name for story in rows for name in story_files(story=story)))
    return len(rows), elapsed


def _purge_locked(candidates: list[uuid.UUID]) -> list[Story]:
    """The batch's transaction: lock what is still purgeable of the candidates, archive and delete
    it; the rows it took (their files are still in storage)."""
    with transaction.atomic():
        rows = list(
            stories_purgeable()
            .filter(pk__in=candidates)
            .order_by()
            .only(*STORY_FIELDS_READ)
            .select_for_update(skip_locked=True)
        )
        archived = [_archived(story) for story in rows if story.state != State.FAILED]
        if archived:
            ArchivedStory.objects.bulk_create(
                archived,
                update_conflicts=True,
                unique_fields=["story_id"],
                update_fields=ARCHIVED_FIELDS,
            )
        # Lifted sounds went with their story's move to a terminal state; this catches any
        # that predate that rule (failed stories never lent one: they were never ready).
        sounds_withdraw_lifted(story_ids=[story.pk for story in rows])
        # With their views, likes, comments and stickers, in one round trip on PostgreSQL.
        stories_delete_rows(ids=[story.pk for story in rows])
    return rows


def _archived(story: Story) -> ArchivedStory:
    return ArchivedStory(
        story_id=story.pk,
        author_id=story.author_id,
        kind=story.kind,
        final_state=story.state,
        created_at=story.created_at,
        published_at=story.published_at,
        like_count=story.like_count,
        comment_count=story.comment_count,
        share_count=story.share_count,
    )


def stories_purge_backlog(
    *, batch_size: int = PURGE_BATCH_SIZE, time_budget: float = PURGE_TIME_BUDGET_SECONDS
) -> PurgeReport:
    """Batches until nothing is left or the time budget is spent. A batch that took longer than
    PURGE_TARGET_SECONDS halves the next one; one that took under half of it doubles the next
    (up to 4 times `batch_size`): stories with many views, likes or comments take longer each.

    Halving helps only when the time is in the batch's size. On a busy machine a batch's time is
    mostly waiting for the CPU, whatever its size, and halving on and on left batches of one
    story (40 stories/s at load 14). So a halving that did not make the next batch at least a
    quarter faster stops the halving there: that size is the run's floor, and the size never
    collapses below it. It does not go back up to the size it halved from, which was just
    measured over the target (doubling back did that: 100, 50, then 100 again in 154 ms)."""
    report = PurgeReport()
    size = batch_size
    floor = 1  # halving below this did not make batches faster: their time is not in their size
    previous: tuple[int, float] | None = None  # the last batch's (size, seconds)
    deadline = time.monotonic() + time_budget
    while True:
        if time.monotonic() > deadline:
            report.finished = False
            break
        purged, elapsed = stories_purge_batch(limit=size)
        if not purged:
            break
        report.purged += purged
        report.batches += 1
        report.longest_batch_seconds = max(report.longest_batch_seconds, elapsed)
        if previous is not None and previous[0] > size and elapsed > 0.75 * previous[1]:
            floor = size  # halved in vain
        previous = (size, elapsed)
        if elapsed > PURGE_TARGET_SECONDS:
            size = max(floor, size // 2)
        elif elapsed < PURGE_TARGET_SECONDS / 2:
            size = min(4 * batch_size, size * 2)
    if report.batches:
        logger.info(
            "Purged %s stories in %s batches (longest %.0f ms)%s",
            report.purged,
            report.batches,
            report.longest_batch_seconds * 1000,
            "" if report.finished else "; more left for the next run",
        )
    return report


def stories_purge(*, batch_size: int = PURGE_BATCH_SIZE) -> int:
    """Purge the whole backlog now; how many stories went."""
    return stories_purge_backlog(batch_size=batch_size).purged
