"""A signed-in impression on PostgreSQL is one statement (feed/view_counting.py), and counts the
same as the long way: reach and day reach once, the first completion once, a repeat inside the
window nothing but its completion. (tests/feed/test_services.py covers the same rules on any
database; tests/analytics/test_concurrency.py races them.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feed import services
from feed.models import StoryView
from stories.models import StoryDailyStats
from tests.factories import LiveStoryFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def day_figures(story) -> tuple[int, int, int, int]:
    rows = StoryDailyStats.objects.filter(story_id=story.pk)
    return tuple(
        sum(getattr(row, name) for row in rows)
        for name in ("impressions", "reach", "day_reach", "completions")
    )


def test_an_impression_of_someone_elses_item_is_one_statement(viewer, settings):
    settings.STORIES_VIEW_REPEAT_SECONDS = 0
    story = LiveStoryFactory()
    with CaptureQueriesContext(connection) as queries:
        services.view_record(viewer=viewer, story=story)
    assert len(queries.captured_queries) == 1
    assert day_figures(story) == (1, 1, 1, 0)
    with CaptureQueriesContext(connection) as queries:
        services.view_record(viewer=viewer, story=story, completed=True)
    assert len(queries.captured_queries) == 1
    services.view_record(viewer=viewer, story=story, completed=True)
    assert day_figures(story) == (3, 1, 1, 1)
    row = StoryView.objects.get()
    assert row.impressions == 3
    assert row.completed_at is not None


def test_the_first_completion_is_kept_and_counted_once(viewer, settings):
    settings.STORIES_VIEW_REPEAT_SECONDS = 0
    story = LiveStoryFactory()
    services.view_record(viewer=viewer, story=story, completed=True)
    first = StoryView.objects.get().completed_at
    services.view_record(viewer=viewer, story=story, completed=True)
    assert StoryView.objects.get().completed_at == first
    assert day_figures(story) == (2, 1, 1, 1)


def test_a_repeat_inside_the_window_counts_only_its_first_completion(viewer, settings):
    settings.STORIES_VIEW_REPEAT_SECONDS = 60
    story = LiveStoryFactory()
    services.view_record(viewer=viewer, story=story)
    services.view_record(viewer=viewer, story=story, completed=True)  # 0 s later: a repeat, but it completes
    services.view_record(viewer=viewer, story=story, completed=True)
    assert day_figures(story) == (1, 1, 1, 1)
    assert StoryView.objects.get().impressions == 1


def test_a_view_on_a_new_day_adds_day_reach_not_reach(viewer, settings):
    settings.STORIES_VIEW_REPEAT_SECONDS = 60
    story = LiveStoryFactory()
    services.view_record(viewer=viewer, story=story)
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        services.view_record(viewer=viewer, story=story)
    assert day_figures(story) == (2, 1, 2, 0)


def test_the_authors_own_views_change_no_figures(settings):
    settings.STORIES_VIEW_REPEAT_SECONDS = 0
    story = LiveStoryFactory()
    services.view_record(viewer=story.author, story=story, completed=True)
    assert day_figures(story) == (0, 0, 0, 0)
    assert StoryView.objects.get().impressions == 1
