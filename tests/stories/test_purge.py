"""The purge works through its whole backlog in short batches, keeps what moderation holds, and
sizes its batches so that each transaction stays short."""

from __future__ import annotations

import gc
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feed.models import Comment, Like, StoryView
from moderation import services as moderation
from stories import services
from stories.lifecycle import State
from stories.models import ArchivedStory, Story
from stories.services import retention
from tests.factories import UserFactory
from tests.stories.factories import ReadyStoryFactory, StoryFactory
from tests.stories.storage import stored_files

pytestmark = pytest.mark.django_db(transaction=True)


def expired_stories(count: int, **fields) -> list[Story]:
    stories = [ReadyStoryFactory(**fields) for _ in range(count)]
    Story.objects.filter(pk__in=[story.pk for story in stories]).update(
        state=State.EXPIRED, expires_at=timezone.now() - timedelta(hours=1)
    )
    return stories


def test_the_purge_works_through_the_whole_backlog_in_batches():
    viewer = UserFactory()
    stories = expired_stories(23)
    for story in stories[:5]:
        StoryView.objects.create(story=story, viewer=viewer)
        Like.objects.create(story=story, user=viewer)
        Comment.objects.create(story=story, author=viewer, text="nice")
    old_failure = StoryFactory(state=State.FAILED)
    Story.objects.filter(pk=old_failure.pk).update(state_changed_at=timezone.now() - timedelta(hours=25))
    recent_failure = StoryFactory(state=State.FAILED)
    live = ReadyStoryFactory()

    report = services.stories_purge_backlog(batch_size=4)

    assert report.purged == 24
    assert report.finished
    assert report.batches >= 24 // (4 * 4)  # batches grow to at most 4 x batch_size
    assert report.longest_batch_seconds > 0
    assert set(Story.objects.values_list("pk", flat=True)) == {recent_failure.pk, live.pk}
    assert stored_files() == {live.media.name, live.poster.name}
    assert ArchivedStory.objects.count() == 23  # a failed story leaves no archive
    assert not StoryView.objects.exists()
    assert not Like.objects.exists()
    assert not Comment.objects.exists()
    assert services.stories_purge_backlog().purged == 0


def test_a_story_with_an_open_report_is_kept_until_the_case_is_closed():
    (held,) = expired_stories(1)
    moderation_case_reporter = UserFactory()
    Story.objects.filter(pk=held.pk).update(state=State.READY, expires_at=timezone.now() + timedelta(hours=1))
    moderation.report_create(reporter=moderation_case_reporter, target=held, reason="spam")
    Story.objects.filter(pk=held.pk).update(state=State.EXPIRED)
    others = expired_stories(3)
    assert services.stories_purge_backlog(batch_size=2).purged == 3
    assert set(Story.objects.values_list("pk", flat=True)) == {held.pk}
    assert {held.media.name, held.poster.name} <= stored_files()
    assert not Story.objects.filter(pk__in=[story.pk for story in others]).exists()


def test_each_batch_is_one_transaction_of_a_fixed_number_of_statements(monkeypatch):
    """Short whatever its size: a batch costs the same statements for 3 stories as for 12 (no
    per-story round trips while row locks are held), and storage calls come after the commit."""
    in_transaction = []
    real_delete = retention.stored_delete

    def record_delete(*names):
        in_transaction.append(connection.in_atomic_block)
        real_delete(*names)

    monkeypatch.setattr(retention, "stored_delete", record_delete)
    counts = []
    for size in (3, 12):
        viewer = UserFactory()
        for story in expired_stories(size):
            StoryView.objects.create(story=story, viewer=viewer)
            Comment.objects.create(story=story, author=viewer, text="nice")
        with CaptureQueriesContext(connection) as queries:
            purged, _ = retention.stories_purge_batch(limit=size)
        assert purged == size
        counts.append(len(queries.captured_queries))
        # No read of the stories is sorted: Story's default ordering made the candidate read sort
        # the whole backlog (a top-N sort of 100,000 rows each batch) though the code asked for
        # no order.
        story_reads = [
            q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "stories_story"')
        ]
        assert len(story_reads) >= 2
        assert not [sql for sql in story_reads if "ORDER BY" in sql]
    assert counts[0] == counts[1]
    assert in_transaction == [False, False]


def test_no_garbage_collection_runs_while_a_batch_holds_its_row_locks():
    """A full collection falling due inside a batch's transaction made it the run's longest
    (96 to 119 ms, the bench's seed garbage: model instances hold their FieldFiles in a cycle,
    so only the collector frees them). Collections wait for the commit. With a threshold of one
    allocation a collection falls due all through the batch; none may start inside it."""
    expired_stories(3)
    starts = []

    def record(phase, info):
        if phase == "start":
            starts.append(connection.in_atomic_block)

    threshold = gc.get_threshold()
    gc.callbacks.append(record)
    gc.set_threshold(1, 1, 1)
    try:
        purged, _ = retention.stories_purge_batch(limit=3)
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(record)
    assert purged == 3
    assert False in starts  # the collector did run, before and after the transaction
    assert True not in starts
    assert gc.isenabled()


def test_batches_shrink_when_slow_and_grow_when_fast(monkeypatch):
    """With stories that take 1 ms each to purge, batches settle where a transaction takes about
    PURGE_TARGET_SECONDS (50 ms), never above the 100 ms limit after the first one."""
    backlog = {"left": 2000}
    sizes = []

    def fake_batch(limit):
        sizes.append(limit)
        purged = min(limit, backlog["left"])
        backlog["left"] -= purged
        return purged, purged * 0.001

    monkeypatch.setattr(retention, "stories_purge_batch", fake_batch)
    report = retention.stories_purge_backlog(batch_size=200)
    assert report.purged == 2000
    assert sizes[:3] == [200, 100, 50]
    assert all(size * 0.001 <= 0.1 for size in sizes[1:])
    assert report.longest_batch_seconds == pytest.approx(0.2)  # the first, measured and reported


def test_batches_do_not_collapse_when_the_time_is_not_in_their_size(monkeypatch):
    """On a busy machine every batch takes 80 ms whatever its size: halving would not help, and
    halving on and on left batches of one story (40 stories/s at load 14). Halving stops at the
    size where it did not pay. Nor does the size go back up to the one just measured over the
    target: doubling back made batches of 100 taking 154 ms at load 3."""
    backlog = {"left": 3000}
    sizes = []

    def busy_batch(limit):
        sizes.append(limit)
        purged = min(limit, backlog["left"])
        backlog["left"] -= purged
        return purged, 0.08

    monkeypatch.setattr(retention, "stories_purge_batch", busy_batch)
    report = retention.stories_purge_backlog(batch_size=100)
    assert report.purged == 3000
    assert sizes[:4] == [100, 50, 50, 50]
    assert set(sizes[1:]) == {50}


def test_no_batch_of_a_run_goes_over_the_target_on_an_idle_machine(monkeypatch):
    """The idle machine's cost (docs/benchmarks.md, Purge: a batch of 100 in 60 to 67 ms): every
    batch of a run stays within PURGE_TARGET_SECONDS, the first included, so a hiccup that
    doubles one still fits the 100 ms budget. The first batch used to take 100 stories, over
    the target by design, and every beat run starts with one."""
    backlog = {"left": 5000}
    times = []

    def idle_batch(limit):
        purged = min(limit, backlog["left"])
        backlog["left"] -= purged
        times.append(0.005 + purged * 0.0006)
        return purged, times[-1]

    monkeypatch.setattr(retention, "stories_purge_batch", idle_batch)
    assert retention.stories_purge_backlog().purged == 5000
    assert max(times) <= retention.PURGE_TARGET_SECONDS


def test_a_run_stops_at_its_time_budget(monkeypatch):
    calls = []

    def endless(limit):
        calls.append(limit)
        return limit, 0.001

    monkeypatch.setattr(retention, "stories_purge_batch", endless)
    report = retention.stories_purge_backlog(batch_size=10, time_budget=0)
    assert (report.finished, report.purged, calls) == (False, 0, [])
