"""Follows from a story across the layers: accounts stores the story's id and calls the one
counter stories plugs into it (accounts/follow_sources.py), so the story's net follows stay exact
whichever door makes or ends the follow, even after the story is gone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts import follow_sources
from accounts import services as accounts
from accounts.models import Follow
from analytics import selectors
from stories.daily_stats import follows_from_story_count
from stories.models import Story, StoryDailyStats
from stories.services.follows import follow_from_story
from tests.factories import LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _live(clock):
    return LiveStoryFactory(published_at=clock.moment, expires_at=clock.moment + timedelta(hours=24))


def test_stories_counter_is_the_one_plugged_in():
    assert follow_sources._counter is follows_from_story_count
    follow_sources.source_counter_register(follows_from_story_count)  # ready() run again: harmless


def test_a_second_counter_is_refused():
    with pytest.raises(RuntimeError):
        follow_sources.source_counter_register(lambda **kwargs: None)
    assert follow_sources._counter is follows_from_story_count


def test_the_story_is_stored_as_a_plain_id_and_counted_once(clock):
    story = _live(clock)
    fan = UserFactory()
    assert follow_from_story(viewer=fan, followee=story.author, story_id=str(story.pk)) is True
    assert follow_from_story(viewer=fan, followee=story.author, story_id=story.pk) is False  # a double click
    assert Follow.objects.get(follower=fan).source_story_id == story.pk
    assert selectors.story_figures(story_id=story.pk).follows_from_story == 1


def test_a_follow_ended_after_the_purge_is_taken_back_by_the_storys_id(clock):
    story = _live(clock)
    story_id, author = story.pk, story.author
    fan = UserFactory()
    follow_from_story(viewer=fan, followee=author, story_id=story_id)
    Story.objects.filter(pk=story_id).delete()
    clock.set(clock.moment + timedelta(days=1))
    assert accounts.follow_delete(follower=fan, followee=author)
    rows = StoryDailyStats.objects.filter(story_id=story_id).order_by("day")
    assert [(row.day, row.follows_from_story) for row in rows] == [
        (clock.moment.date() - timedelta(days=1), 1),
        (clock.moment.date(), -1),
    ]
