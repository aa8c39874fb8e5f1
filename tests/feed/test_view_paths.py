"""The two ways a view is counted write the same rows.

On PostgreSQL a signed-in impression of someone else's item is one prepared statement
(feed/view_counting.py: the view's upsert in a CTE feeding the day's upsert); SQLite, and
PostgreSQL for what that statement leaves (the author's own views, a completion reported on its
own, a repeat inside the window that completes), take the transaction of `view_record`. One
script of views (repeats inside and after the window, completions with and without an
impression, a new UTC day, signed-out views, the author's own) is played each way: the view rows
and the day figures must be the same, and the figures the ones the rules give. The one-statement
way needs PostgreSQL; the long way runs on both databases.

Also here, on PostgreSQL: views racing from threads through the service count exactly, and a
story that is no longer visible refuses the view before anything is counted."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from feed import services
from feed.models import StoryView
from stories.models import StoryDailyStats
from tests.factories import LiveStoryFactory, UserFactory

# (seconds after the start, who, completed, impression). The window is 60 s.
SCRIPT = [
    (0, "ann", False, True),
    (10, "ann", False, True),  # a repeat inside the window: nothing
    (20, "ann", True, True),  # a repeat inside the window that completes: the completion only
    (30, "ann", True, True),  # completed already: nothing
    (90, "ann", False, True),  # after the window: an impression
    (0, "bob", True, True),  # a first view that completes
    (5, "bob", True, False),  # a completion reported on its own, again: nothing
    (0, "cat", False, True),
    (40, "cat", True, False),  # the completion of the impression already counted
    (0, "dan", True, False),  # a completion with no impression before it: both
    (0, "author", True, True),  # the author's own: a row, no figures
    (0, None, False, True),  # signed out: one per address in the window
    (5, None, True, True),
    (86400 + 30, "ann", False, True),  # the next UTC day: an impression and day reach
    (86400 + 40, "bob", True, True),  # the next day, completed before: an impression and day reach
]
# Day 0: impressions ann 2, bob 1, cat 1, dan 1, signed out 1; reach 4; completions ann, bob,
# cat, dan and the signed-out one. Day 1: ann and bob once each.
EXPECTED_DAYS = [(0, 6, 4, 4, 5), (1, 2, 0, 2, 0)]


def _start() -> datetime:
    """Early in a UTC day (any day: the script's second day is the next one), so the first
    day's views stay on it."""
    today = timezone.now().replace(hour=1, minute=0, second=0, microsecond=0)
    return today - timedelta(days=3)


def _play(story, people: dict, *, one_statement: bool) -> None:
    start = _start()
    long_way = mock.patch("feed.view_counting.view_count_at_once", return_value=None)
    with nullcontext() if one_statement else long_way:
        for seconds, who, completed, impression in sorted(SCRIPT, key=lambda step: step[0]):
            viewer = story.author if who == "author" else people.get(who)
            with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
                services.view_record(
                    viewer=viewer, story=story, completed=completed, impression=impression, client="192.0.2.7"
                )


def _rows(story) -> tuple[list, list]:
    start = _start().date()
    views = sorted(
        (
            "author" if row.viewer_id == story.author_id else row.viewer.username.split("-")[0],
            row.impressions,
            row.first_seen_at,
            row.last_seen_on,
            row.previous_seen_on,
            row.last_seen_at,
            row.completed_at,
        )
        for row in StoryView.objects.filter(story=story).select_related("viewer")
    )
    days = sorted(
        ((row.day - start).days, row.impressions, row.reach, row.day_reach, row.completions)
        for row in StoryDailyStats.objects.filter(story_id=story.pk)
    )
    return views, days


def _people(tag: str) -> dict:
    return {name: UserFactory(username=f"{name}-{tag}") for name in ("ann", "bob", "cat", "dan")}


@pytest.fixture
def scripted(settings):
    settings.STORIES_VIEW_REPEAT_SECONDS = 60
    author = UserFactory()

    def play(tag: str, *, one_statement: bool) -> tuple[list, list]:
        story = LiveStoryFactory(
            author=author, published_at=_start(), expires_at=_start() + timedelta(days=3)
        )
        _play(story, _people(tag), one_statement=one_statement)
        return _rows(story)

    return play


@pytest.mark.django_db
def test_the_long_way_counts_by_the_rules(scripted):
    views, days = scripted("long", one_statement=False)
    assert days == EXPECTED_DAYS
    impressions = {name: count for name, count, *_ in views}
    assert impressions == {"ann": 3, "bob": 2, "cat": 1, "dan": 1, "author": 1}


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_one_statement_writes_what_the_long_way_writes(requires_postgres, scripted):
    one_views, one_days = scripted("one", one_statement=True)
    long_views, long_days = scripted("long", one_statement=False)
    assert one_days == long_days == EXPECTED_DAYS
    assert one_views == long_views


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_one_statement_is_prepared_once_per_connection(requires_postgres, viewer, settings):
    """The server keeps the statement: later views of the same shape name it instead of sending
    its text to be parsed and planned again."""
    settings.STORIES_VIEW_REPEAT_SECONDS = 0

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["WITH v AS (%"]
            )
            return cursor.fetchone()[0]

    services.view_record(viewer=viewer, story=LiveStoryFactory())
    after_one = prepared()
    assert after_one >= 1
    for _ in range(3):
        services.view_record(viewer=viewer, story=LiveStoryFactory())
    assert prepared() == after_one


def _race(actions: list) -> None:
    """Every action at the same instant, each in its own thread and connection."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("window", "expected"), [(0, (48, 6, 6, 6)), (60, (6, 6, 6, 6))])
def test_views_racing_from_threads_count_exactly(requires_postgres, settings, window, expected):
    """6 people, each in 4 threads at once, each thread 2 completed views: every impression
    counts with no window, one per person inside it; reach and completions once per person."""
    settings.STORIES_VIEW_REPEAT_SECONDS = window
    story = LiveStoryFactory()
    people = [UserFactory() for _ in range(6)]

    def views(person):
        def action() -> None:
            for _ in range(2):
                services.view_record(viewer=person, story=story, completed=True)

        return action

    _race([views(person) for person in people for _ in range(4)])
    row = StoryDailyStats.objects.get(story_id=story.pk)
    assert (row.impressions, row.reach, row.day_reach, row.completions) == expected
    per_person = 1 if window else 8
    assert (
        sorted(StoryView.objects.filter(story=story).values_list("impressions", flat=True))
        == [per_person] * 6
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["expired", "removed", "followers_only"])
def test_a_story_the_viewer_may_not_see_refuses_the_view_and_counts_nothing(case, settings):
    """The gate answers 404 before `view_record` is called, on either way of counting."""
    settings.STORIES_VIEW_REPEAT_SECONDS = 0
    now = timezone.now()
    story = {
        "expired": lambda: LiveStoryFactory(
            published_at=now - timedelta(hours=30), expires_at=now - timedelta(hours=6)
        ),
        "removed": lambda: LiveStoryFactory(state="removed"),
        "followers_only": lambda: LiveStoryFactory(audience="followers"),
    }[case]()
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.post(f"/api/v1/stories/{story.pk}/views/", {"completed": True}, format="json")
    assert response.status_code == 404
    assert not StoryView.objects.filter(story=story).exists()
    assert not StoryDailyStats.objects.filter(story_id=story.pk).exists()
