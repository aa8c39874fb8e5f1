"""Signed-in views written behind through Redis (feed/view_buffer.py), against a real Redis.

The buffered way must count what counting at once counts (the script of test_view_paths, with
its repeats, completions and the next UTC day), touch no table until the flush, let viewers read
their own views at once, and count every batch exactly once through a flusher that dies before
or after its commit, a view whose story or viewer went away, a batch that keeps failing, and
Redis going away under the report."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
import redis.exceptions
import time_machine
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError

from analytics import selectors as analytics
from feed import selectors, services, view_buffer
from feed import view_counting as counting
from feed.models import StoryView, ViewFlush
from stories.models import StoryDailyStats
from tests.factories import LiveStoryFactory, UserFactory

from .conftest import client_for
from .test_view_paths import EXPECTED_DAYS, SCRIPT, _people, _rows, _start

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def buffered(settings, redis_url):
    settings.STORIES_VIEW_BUFFER = True
    settings.STORIES_VIEW_REPEAT_SECONDS = 60
    assert view_buffer.view_buffer_enabled(), "the test cache must be Redis"


def _pending() -> int:
    buffer = view_buffer._buffer()
    return buffer.client.llen(buffer.key[view_buffer.PENDING])


def _with_client(client) -> SimpleNamespace:
    """The buffer as the flush and the reads see it, with its Redis client replaced."""
    return SimpleNamespace(client=client, key=view_buffer._buffer().key)


def _figures(story) -> tuple[int, int, int] | None:
    row = StoryDailyStats.objects.filter(story_id=story.pk).first()
    return row and (row.impressions, row.reach, row.completions)


def _play_script(story, people) -> None:
    start = _start()
    for seconds, who, completed, impression in sorted(SCRIPT, key=lambda step: step[0]):
        viewer = story.author if who == "author" else people.get(who)
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            services.view_record(
                viewer=viewer, story=story, completed=completed, impression=impression, client="192.0.2.7"
            )


def test_the_buffered_way_counts_what_counting_at_once_counts(buffered, settings):
    author = UserFactory()

    def story():
        return LiveStoryFactory(author=author, published_at=_start(), expires_at=_start() + timedelta(days=3))

    buffered_story = story()
    _play_script(buffered_story, _people("buffered"))
    # Signed-out views are counted as they come; nothing signed in has reached a table yet.
    assert not StoryView.objects.filter(story=buffered_story).exists()
    assert _pending() == sum(1 for step in SCRIPT if step[1] is not None)

    pending = _pending()
    assert view_buffer.view_buffer_flush() == pending
    assert _pending() == 0
    settings.STORIES_VIEW_BUFFER = False
    at_once_story = story()
    _play_script(at_once_story, _people("at-once"))

    buffered_views, buffered_days = _rows(buffered_story)
    at_once_views, at_once_days = _rows(at_once_story)
    assert buffered_days == at_once_days == EXPECTED_DAYS
    assert buffered_views == at_once_views


def test_a_flush_counts_every_view_it_took_and_says_how_many(buffered):
    story = LiveStoryFactory()
    people = [UserFactory() for _ in range(3)]
    for person in people:
        services.view_record(viewer=person, story=story, completed=True)
    assert _figures(story) is None
    assert view_buffer.view_buffer_flush() == 3
    assert _figures(story) == (3, 3, 3)
    assert ViewFlush.objects.get().views == 3
    assert view_buffer.view_buffer_flush() == 0


def test_viewers_see_their_own_views_at_once(buffered):
    """The Following feed and the tray read after a view flush the viewer's views first."""
    viewer = UserFactory()
    story = LiveStoryFactory()
    client = client_for(viewer)
    response = client.post(f"/api/v1/stories/{story.pk}/views/", {"completed": False}, format="json")
    assert response.status_code == 204, response.content
    assert _pending() == 1
    assert selectors.story_fully_seen(author=story.author, viewer=viewer)
    assert _pending() == 0
    assert StoryView.objects.filter(story=story, viewer=viewer).exists()


def test_other_viewers_reads_do_not_flush(buffered):
    story = LiveStoryFactory()
    services.view_record(viewer=UserFactory(), story=story)
    assert not selectors.story_fully_seen(author=story.author, viewer=UserFactory())
    assert _pending() == 1


def test_the_authors_analytics_count_the_buffered_views(buffered):
    story = LiveStoryFactory()
    services.view_record(viewer=UserFactory(), story=story, completed=True)
    summary = analytics.author_summary(author=story.author, days=7)
    assert summary.totals.impressions == 1
    assert _pending() == 0


def test_a_flusher_that_died_after_its_commit_is_not_counted_twice(buffered):
    story = LiveStoryFactory()
    for person in [UserFactory() for _ in range(2)]:
        services.view_record(viewer=person, story=story)
    real_client = view_buffer._buffer().client
    flushing = view_buffer._buffer().key[view_buffer.FLUSHING]

    class DiesBeforeClearing:
        def __getattr__(self, name):
            return getattr(real_client, name)

        def delete(self, *keys):
            raise redis.exceptions.ConnectionError("gone after the commit")

    with mock.patch.object(view_buffer, "_buffer", return_value=_with_client(DiesBeforeClearing())):
        view_buffer.view_buffer_flush()
    assert _figures(story) == (2, 2, 0)
    assert real_client.exists(flushing)  # the batch is still there

    services.view_record(viewer=UserFactory(), story=story)  # a new one, pending meanwhile
    view_buffer.view_buffer_flush()
    assert _figures(story) == (3, 3, 0)
    assert not real_client.exists(flushing)
    assert _pending() == 0


def test_a_flusher_that_failed_before_its_commit_counts_on_the_next(buffered):
    story = LiveStoryFactory()
    for person in [UserFactory() for _ in range(2)]:
        services.view_record(viewer=person, story=story, completed=True)
    with mock.patch.object(view_buffer, "view_count", side_effect=DatabaseError("the database went away")):
        assert view_buffer.view_buffer_flush() == 0
    assert _figures(story) is None
    assert not ViewFlush.objects.exists()
    assert view_buffer.view_buffer_flush() == 2
    assert _figures(story) == (2, 2, 2)


def test_views_whose_story_or_viewer_went_away_are_skipped(buffered):
    kept, gone_story = LiveStoryFactory(), LiveStoryFactory()
    stays, leaves = UserFactory(), UserFactory()
    services.view_record(viewer=stays, story=kept)
    services.view_record(viewer=leaves, story=kept)
    services.view_record(viewer=stays, story=gone_story)
    leaves.delete()
    gone_story.delete()
    view_buffer.view_buffer_flush()
    assert _figures(kept) == (1, 1, 0)
    assert list(StoryView.objects.values_list("viewer_id", flat=True)) == [stays.pk]
    assert _pending() == 0


def test_a_batch_that_keeps_failing_is_counted_view_by_view(buffered):
    """After three failed attempts the batch is counted in savepoints, and the one view that
    cannot be counted is dropped, so it does not hold up everyone else's."""
    story = LiveStoryFactory()
    people = [UserFactory() for _ in range(3)]
    for person in people:
        services.view_record(viewer=person, story=story)
    poison = people[1]

    def count(**kwargs):
        if kwargs["viewer"].pk == poison.pk:
            raise DatabaseError("this one cannot be counted")
        counting.view_count(**kwargs)

    with mock.patch.object(view_buffer, "view_count", side_effect=count):
        for _ in range(view_buffer.GIVE_UP_AFTER):
            assert view_buffer.view_buffer_flush() == 0
            assert _figures(story) is None
        view_buffer.view_buffer_flush()
    assert _figures(story) == (2, 2, 0)
    assert _pending() == 0
    buffer = view_buffer._buffer()
    assert not buffer.client.exists(buffer.key[view_buffer.FLUSHING])


def test_with_redis_unreachable_a_view_is_counted_at_once(buffered):
    story = LiveStoryFactory()
    down = redis.exceptions.ConnectionError("Redis is down")
    with mock.patch.object(view_buffer._Buffer, "push", side_effect=down):
        services.view_record(viewer=UserFactory(), story=story, completed=True)
    assert _figures(story) == (1, 1, 1)
    assert _pending() == 0


def test_a_restarted_redis_that_forgot_the_push_script_still_takes_views(buffered):
    story = LiveStoryFactory()
    services.view_record(viewer=UserFactory(), story=story)
    view_buffer._buffer().client.script_flush()  # what a restart without persistence does
    services.view_record(viewer=UserFactory(), story=story)
    assert _pending() == 2
    view_buffer.view_buffer_flush()
    assert _figures(story) == (2, 2, 0)


def test_with_redis_unreachable_reads_go_on_without_the_buffer(buffered):
    """A feed read asks Redis whether the reader has views waiting; while it cannot answer, the
    read goes on (the views wait), and a flush counts nothing and fails nothing."""
    story = LiveStoryFactory()
    viewer = UserFactory()
    services.view_record(viewer=viewer, story=story)
    down = redis.exceptions.ConnectionError("Redis is down")
    broken = mock.Mock(**{"pipeline.side_effect": down, "lock.return_value.acquire.side_effect": down})
    with mock.patch.object(view_buffer, "_buffer", return_value=_with_client(broken)):
        assert not selectors.story_fully_seen(author=story.author, viewer=viewer)
        assert view_buffer.view_buffer_flush() == 0
    assert selectors.story_fully_seen(author=story.author, viewer=viewer)  # back: flushed first


def test_with_nothing_listening_where_redis_should_be_views_are_counted_and_reads_work(buffered):
    """A cache pointing at a closed port, as after Redis died: the first use of the buffer in a
    process must not fail the request that makes it."""
    dead = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    story, viewer = LiveStoryFactory(), UserFactory()
    with mock.patch.object(view_buffer, "cache", dead):
        services.view_record(viewer=viewer, story=story, completed=True)
        assert selectors.story_fully_seen(author=story.author, viewer=viewer)
        assert view_buffer.view_buffer_flush() == 0
    assert _figures(story) == (1, 1, 1)
